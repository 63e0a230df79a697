"""The e-commerce platform (steps 3.1, 3.2, 3.3 and 3.6): orders, payment requests, results.

* **3.1** a user creates an order; the merchant computes its amount from the items (integers in
  minor units) and gives it an expiry;
* **3.2** when the user pays, the merchant validates: the order exists and is the caller's, the
  amount and currency are the order's, its status allows paying, it has not expired;
* **3.3** it builds the payment request, seals the payer's details to the gateway's public key
  (bound to this order), and its :class:`~paycore.payment.merchant.client.GatewayClient` signs the
  exact bytes and sends them with an ``Idempotency-Key`` -- the *same* bytes again if the network fails;
* **3.6** it applies the gateway's verified answer through :mod:`.results`, which re-checks the
  merchant, the order and the amount and changes the order exactly once. Notifications
  (:mod:`.notifications`) take the same path; orders stuck in PAYING are settled by a signed query
  (:meth:`Merchant.reconcile`).

Durability: the merchant flushes to disk (a *durable* commit) only where a lost write could lose
money -- moving an order into PAYING before its request leaves, refund numbering, and alerts.
Everything else it writes (a new order, a payment's outcome, a processed notification) can be
rebuilt from the gateway by reconciliation, so it commits without waiting for the disk; the next
durable commit flushes it anyway.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import asdict

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment.clock import Clock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant import results
from paycore.payment.merchant.client import GatewayClient, GatewayRefusal
from paycore.payment.merchant.reconciliation import Reconciler
from paycore.payment.merchant.store import MerchantStore, MerchantUnitOfWork, Order
from paycore.payment.methods import PaymentMethod, method_to_json
from paycore.payment.money import Money
from paycore.payment.orders import PAYABLE, REFUNDABLE, LineItem, OrderStatus
from paycore.payment.protocol import envelope_context, schemas
from paycore.payment.protocol.wire import encode_json

ORDER_TTL_SECONDS = 15 * 60


class Merchant:
    """The merchant's service, independent of HTTP (the FastAPI app is a thin adapter)."""

    def __init__(
        self,
        store: MerchantStore,
        client: GatewayClient,
        clock: Clock,
        *,
        merchant_id: str,
        notify_url: str,
        gateway_encryption_key: rsa.RSAPublicKey,
        admin_token: str | None = None,
    ) -> None:
        self.store = store
        self.client = client
        self.clock = clock
        self.merchant_id = merchant_id
        self.notify_url = notify_url
        self.gateway_encryption_key = gateway_encryption_key
        self.gateway_encryption_key_id = secure.key_id(gateway_encryption_key)
        self.admin_token = admin_token or secrets.token_urlsafe(24)
        self.reconciler = Reconciler(store, client, clock, merchant_id)

    # -- 3.1: orders ---------------------------------------------------------------------------
    def create_order(self, user_id: str, items: list[LineItem], currency: str) -> dict:
        """Create an order whose amount is computed here, from the items, never sent by the client."""
        if not items:
            raise PaymentError(ErrorCode.INVALID_REQUEST, "an order needs at least one item")
        try:
            total = Money(sum(item.quantity * item.unit_price for item in items), currency)
        except (ValueError, TypeError) as exc:
            raise PaymentError(ErrorCode.INVALID_REQUEST, f"invalid order: {exc}") from None
        now = int(self.clock.now())
        order = Order(
            order_id="ord_" + secrets.token_hex(8),
            user_id=user_id,
            items=json.dumps([asdict(item) for item in items]),
            currency=total.currency,
            amount=total.minor_units,
            status=OrderStatus.CREATED,
            created_at=now,
            expires_at=now + ORDER_TTL_SECONDS,
        )
        self.store.run(lambda unit: unit.insert_order(order), durable=False)
        return self.get_order(user_id, order.order_id)

    def _own(self, order: Order | None, user_id: str) -> Order:
        if order is None or order.user_id != user_id:  # the same answer for "missing" and "not yours"
            raise PaymentError(ErrorCode.ORDER_NOT_FOUND, "no such order for this user")
        return order

    def _expired(self, order: Order) -> bool:
        return order.status in PAYABLE and order.expires_at <= self.clock.now()

    def get_order(self, user_id: str, order_id: str) -> dict:
        """The order as its owner sees it (an expired unpaid order is closed on sight)."""
        order = self._own(self.store.order(order_id), user_id)
        if self._expired(order):
            now = int(self.clock.now())
            self.store.run(lambda unit: unit.close_expired(now, order_id))
            order = self._own(self.store.order(order_id), user_id)
        return order.view()

    def cancel_order(self, user_id: str, order_id: str) -> dict:
        """Close an order that has not been paid."""
        self.store.run(
            lambda unit: results.move(unit, self._own(unit.order(order_id), user_id), OrderStatus.CLOSED)
        )
        return self.get_order(user_id, order_id)

    def close_expired(self) -> int:
        """Close every unpaid order past its expiry; return how many."""
        now = int(self.clock.now())
        return self.store.run(lambda unit: unit.close_expired(now))

    # -- 3.2 and 3.3: paying -----------------------------------------------------------------------
    def _check_payable(self, order: Order, amount: Money) -> None:
        """Step 3.2's checks on an order the caller owns."""
        if order.status is OrderStatus.CLOSED and order.expires_at <= self.clock.now():
            raise PaymentError(ErrorCode.ORDER_EXPIRED, "the order expired before it was paid")
        if order.status not in PAYABLE:
            raise PaymentError(
                ErrorCode.ORDER_NOT_PAYABLE, f"the order is {order.status.value}, it cannot be paid now"
            )
        if (amount.minor_units, amount.currency) != (order.amount, order.currency):
            raise PaymentError(
                ErrorCode.AMOUNT_MISMATCH,
                f"the amount paid ({amount}) differs from the order's ({order.money})",
            )

    def _start_attempt(self, user_id: str, order_id: str, amount: Money, now: int) -> str | None:
        """Move the order into PAYING under a new ``out_trade_no`` (durably); ``None`` if it expired."""

        def work(unit: MerchantUnitOfWork) -> str | None:
            order = self._own(unit.order(order_id), user_id)
            if self._expired(order):  # close it for good (committed), then refuse
                results.move(unit, order, OrderStatus.CLOSED)
                return None
            self._check_payable(order, amount)
            out_trade_no = f"{order_id}-{order.attempts + 1}"
            results.move(
                unit,
                order,
                OrderStatus.PAYING,
                attempts=order.attempts + 1,
                out_trade_no=out_trade_no,
                paying_since=now,
                failure_code=None,
            )
            return out_trade_no

        return self.store.run(work)

    def pay(self, user_id: str, order_id: str, amount: Money, method: PaymentMethod) -> dict:
        """Validate, then send one signed, sealed payment request and apply the signed answer."""
        now = int(self.clock.now())
        out_trade_no = self._start_attempt(user_id, order_id, amount, now)
        if out_trade_no is None:
            raise PaymentError(ErrorCode.ORDER_EXPIRED, "the order expired before it was paid")
        body = self.build_payment_request(out_trade_no, amount, method, description=f"order {order_id}")
        try:
            payment = self.client.pay(
                body, idempotency_key=str(uuid.uuid4()), on_signed=self._note_signed(order_id, now)
            )
        except PaymentError as exc:
            if exc.code is ErrorCode.GATEWAY_UNAVAILABLE:
                raise PaymentError(
                    ErrorCode.GATEWAY_UNAVAILABLE,
                    "the payment platform could not be reached; "
                    "the order stays PAYING until it is reconciled",
                ) from None
            raise
        except GatewayRefusal as refusal:
            if (
                refusal.code in (ErrorCode.REQUEST_IN_PROGRESS, ErrorCode.DUPLICATE_OUT_TRADE_NO)
                or refusal.status >= 500
            ):
                self.reconcile_order(order_id)  # the gateway may have acted: ask it, never guess
            else:
                self._fail_attempt(order_id, out_trade_no, refusal.code)
        else:
            self._apply_payment(order_id, payment)
        return self.get_order(user_id, order_id)

    def _note_signed(self, order_id: str, first: int):
        """Keep ``paying_since`` at the newest signed timestamp of this attempt's requests.

        A request is acceptable to the gateway until its timestamp is a window old, so "no such
        payment" means "failed" only a window (plus clock skew) after the *last* one was signed.
        """
        latest = [first]

        def record(timestamp: int) -> None:
            if timestamp > latest[0]:
                latest[0] = timestamp
                self.store.run(lambda unit: unit.note_paying_since(order_id, timestamp))

        return record

    def _fail_attempt(self, order_id: str, out_trade_no: str, code: str) -> None:
        """A refusal before any money moved: the attempt failed, and the user may try again."""

        def work(unit: MerchantUnitOfWork) -> None:
            order = unit.order(order_id)
            if order.status is OrderStatus.PAYING and order.out_trade_no == out_trade_no:
                results.move(unit, order, OrderStatus.FAILED, failure_code=code)

        self.store.run(work, durable=False)

    def build_payment_request(
        self, out_trade_no: str, amount: Money, method: PaymentMethod, *, description: str
    ) -> bytes:
        """The exact JSON bytes of a payment request, the payer sealed to the gateway and this order."""
        sealed = secure.seal(
            self.gateway_encryption_key,
            json.dumps(method_to_json(method)).encode(),
            associated_data=envelope_context(self.merchant_id, out_trade_no),
            key_id=self.gateway_encryption_key_id,
        )
        document = {
            "merchant_id": self.merchant_id,
            "out_trade_no": out_trade_no,
            "amount": amount.to_json(),
            "description": description,
            "notify_url": self.notify_url,
            "payer": sealed.to_dict(),
        }
        return encode_json(document, sort_keys=False)

    # -- 3.6 and reconciliation -------------------------------------------------------------------
    def _apply_payment(self, order_id: str | None, payment: schemas.PaymentResource) -> bool:
        return results.apply_payment_result(self.store, self.merchant_id, order_id, payment, self.clock.now())

    def reconcile(self, older_than: int = 0) -> list[tuple[str, str]]:
        """Query the gateway about every order stuck in PAYING; return (order id, new status) pairs."""
        return self.reconciler.reconcile(older_than)

    def reconcile_order(self, order_id: str) -> str:
        """Ask the gateway (a signed query) what became of the order's current attempt, and apply it."""
        return self.reconciler.reconcile_order(order_id)

    # -- refunds ---------------------------------------------------------------------------------------------
    def refund(self, user_id: str, order_id: str, amount: Money, reason: str = "") -> dict:
        """Ask the gateway to return ``amount`` of a paid order to the payer."""

        def take_number(unit: MerchantUnitOfWork) -> tuple[Order, int]:
            order = self._own(unit.order(order_id), user_id)
            if order.status not in REFUNDABLE:
                raise PaymentError(
                    ErrorCode.REFUND_NOT_ALLOWED,
                    f"the order is {order.status.value}; only paid orders can be refunded",
                )
            if amount.currency != order.currency or amount.minor_units > order.amount - order.refunded:
                raise PaymentError(
                    ErrorCode.REFUND_NOT_ALLOWED, "the refund exceeds what was paid and not yet refunded"
                )
            unit.count_refund(order_id, order.refunds + 1)
            return order, order.refunds + 1

        order, number = self.store.run(take_number)
        document = {
            "merchant_id": self.merchant_id,
            "out_trade_no": order.out_trade_no,
            "out_refund_no": f"{order_id}-R{number}",
            "amount": amount.to_json(),
            "reason": reason,
        }
        try:
            refund = self.client.refund(
                encode_json(document, sort_keys=False), idempotency_key=str(uuid.uuid4())
            )
        except GatewayRefusal as refusal:
            raise refusal.passed_on() from None
        results.apply_refund_result(self.store, self.merchant_id, order_id, refund, self.clock.now())
        return self.get_order(user_id, order_id)

    # -- inspection ----------------------------------------------------------------------------------
    @property
    def db(self):
        """The merchant's database, for reading in notebooks and tests (the service never uses it)."""
        return self.store.db

    @property
    def signer(self):
        """The merchant's signer (its key id and algorithm), as its client uses it."""
        return self.client.signer
