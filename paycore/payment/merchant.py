"""The e-commerce platform (steps 3.1, 3.2, 3.3 and 3.6): orders, payment requests, results.

* **3.1** a user creates an order; the merchant computes its amount from the items (integers in
  minor units) and gives it an expiry;
* **3.2** when the user pays, the merchant validates: the order exists and is the caller's, the
  amount and currency are the order's, its status allows paying, it has not expired;
* **3.3** it builds the payment request, seals the payer's details to the gateway's public key
  (bound to this order), signs the exact bytes with its own private key and sends them with an
  ``Idempotency-Key`` -- retrying the *same* bytes if the network fails;
* **3.6** it accepts the gateway's answer only if it is signed by the gateway's key and bound to
  this request, re-checks the order number and amount, and updates the order exactly once.
  Notifications get the same treatment and are deduplicated by event id; orders stuck in
  PAYING are settled by a signed query (:meth:`Merchant.reconcile`).

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
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment import errors, replay, schemas
from paycore.payment.clock import Clock
from paycore.payment.errors import PaymentError
from paycore.payment.gateway import PAYMENTS_PATH, REFUNDS_PATH, envelope_context
from paycore.payment.merchant_store import order_view, raise_alert
from paycore.payment.methods import PaymentMethod, method_to_json
from paycore.payment.money import Money
from paycore.payment.orders import PAYABLE, OrderStatus, check_transition
from paycore.payment.signatures import (
    IDEMPOTENCY_KEY,
    MessageSigner,
    SignedHeaders,
    canonical_request,
    canonical_response,
    verify_signature,
)
from paycore.payment.storage import Database
from paycore.payment.transport import LinkError, Reply

ORDER_TTL_SECONDS = 15 * 60
CLOCK_SKEW_MARGIN = 60
"""Seconds by which the gateway's clock may trail ours; added to the window before a 404 means "never"."""
SEND_ATTEMPTS = 3


@dataclass(frozen=True)
class Exchange:
    """One request/response on the wire, kept for the guided tour and the notebooks."""

    label: str
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes
    canonical: bytes
    reply: Reply | None = None
    error: str | None = None


@dataclass(frozen=True)
class LineItem:
    """One line of an order: a price in minor units times a quantity."""

    sku: str
    name: str
    quantity: int
    unit_price: int

    def __post_init__(self) -> None:
        for name in ("quantity", "unit_price"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{name} must be an integer")
        if not 1 <= self.quantity <= 999:
            raise ValueError("quantity must be between 1 and 999")
        if self.unit_price <= 0:
            raise ValueError("unit_price must be a positive number of minor units")


@dataclass
class Merchant:
    """The merchant's service, independent of HTTP (the FastAPI app is a thin adapter)."""

    db: Database
    private_key: rsa.RSAPrivateKey
    gateway_public_key: rsa.RSAPublicKey
    clock: Clock
    link: object
    merchant_id: str
    gateway_url: str
    notify_url: str
    algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256
    gateway_algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256
    window: int = replay.WINDOW_SECONDS
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    exchanges: deque = field(default_factory=lambda: deque(maxlen=50))

    def __post_init__(self) -> None:
        self.signer = MessageSigner(self.private_key, self.algorithm)
        self.gateway_algorithm = secure.SignatureAlgorithm.parse(self.gateway_algorithm)
        self.gateway_key_id = secure.key_id(self.gateway_public_key)

    # -- 3.1: orders ---------------------------------------------------------------------------
    def create_order(self, user_id: str, items: list[LineItem], currency: str) -> dict:
        """Create an order whose amount is computed here, from the items, never sent by the client."""
        if not items:
            raise PaymentError(errors.INVALID_REQUEST, "an order needs at least one item", 422)
        try:
            total = Money(sum(item.quantity * item.unit_price for item in items), currency)
        except (ValueError, TypeError) as exc:
            raise PaymentError(errors.INVALID_REQUEST, f"invalid order: {exc}", 422) from None
        now = int(self.clock.now())
        order_id = "ord_" + secrets.token_hex(8)
        with self.db.transaction(durable=False) as connection:
            connection.execute(
                "INSERT INTO orders (order_id, user_id, items, currency, amount, status, created_at, "
                "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    order_id,
                    user_id,
                    json.dumps([item.__dict__ for item in items]),
                    total.currency,
                    total.minor_units,
                    OrderStatus.CREATED.value,
                    now,
                    now + ORDER_TTL_SECONDS,
                ),
            )
        return self.get_order(user_id, order_id)

    def _own_order(self, connection, user_id: str, order_id: str):
        row = connection.execute("SELECT * FROM orders WHERE order_id = ?", (order_id,)).fetchone()
        if row is None or row["user_id"] != user_id:  # same answer for "missing" and "not yours"
            raise PaymentError(errors.ORDER_NOT_FOUND, "no such order for this user", 404)
        return row

    def _read_own_order(self, user_id: str, order_id: str):
        row = self.db.query_one("SELECT * FROM orders WHERE order_id = ?", (order_id,))
        if row is None or row["user_id"] != user_id:
            raise PaymentError(errors.ORDER_NOT_FOUND, "no such order for this user", 404)
        return row

    def _expired(self, row) -> bool:
        return OrderStatus(row["status"]) in PAYABLE and row["expires_at"] <= self.clock.now()

    def get_order(self, user_id: str, order_id: str) -> dict:
        """The order as its owner sees it (an expired unpaid order is closed on sight)."""
        row = self._read_own_order(user_id, order_id)
        if self._expired(row):
            self._close_if_expired(order_id)
            row = self._read_own_order(user_id, order_id)
        return order_view(row)

    def cancel_order(self, user_id: str, order_id: str) -> dict:
        """Close an order that has not been paid."""
        with self.db.transaction() as connection:
            row = self._own_order(connection, user_id, order_id)
            self._move(connection, row, OrderStatus.CLOSED)
        return self.get_order(user_id, order_id)

    def _close_if_expired(self, order_id: str) -> None:
        now = int(self.clock.now())
        with self.db.transaction() as connection:
            connection.execute(
                "UPDATE orders SET status = 'CLOSED' WHERE order_id = ? AND status IN ('CREATED', "
                "'FAILED') AND expires_at <= ?",
                (order_id, now),
            )

    def close_expired(self) -> int:
        """Close every unpaid order past its expiry; return how many."""
        with self.db.transaction() as connection:
            return connection.execute(
                "UPDATE orders SET status = 'CLOSED' WHERE status IN ('CREATED', 'FAILED') "
                "AND expires_at <= ?",
                (int(self.clock.now()),),
            ).rowcount

    @staticmethod
    def _move(connection, row, new: OrderStatus, **columns) -> None:
        """Apply a state-machine move (raising on an illegal one) and set other columns with it."""
        try:
            check_transition(OrderStatus(row["status"]), new)
        except ValueError as exc:
            raise PaymentError(errors.ORDER_NOT_PAYABLE, str(exc), 409) from None
        assignments = ", ".join(f"{name} = ?" for name in ("status", *columns))
        updated = connection.execute(
            f"UPDATE orders SET {assignments} WHERE order_id = ? AND status = ?",
            (new.value, *columns.values(), row["order_id"], row["status"]),
        ).rowcount
        if updated != 1:
            raise PaymentError(errors.ORDER_NOT_PAYABLE, "the order changed meanwhile; read it again", 409)

    # -- 3.2 and 3.3: paying -----------------------------------------------------------------------
    def _check_payable(self, row, amount: Money) -> None:
        """Step 3.2's checks on an order the caller owns."""
        if row["status"] == OrderStatus.CLOSED.value and row["expires_at"] <= self.clock.now():
            raise PaymentError(errors.ORDER_EXPIRED, "the order expired before it was paid", 409)
        if OrderStatus(row["status"]) not in PAYABLE:
            raise PaymentError(
                errors.ORDER_NOT_PAYABLE, f"the order is {row['status']}, it cannot be paid now", 409
            )
        if (amount.minor_units, amount.currency) != (row["amount"], row["currency"]):
            raise PaymentError(
                errors.AMOUNT_MISMATCH,
                f"the amount paid ({amount}) differs from the order's "
                f"({Money(row['amount'], row['currency'])})",
                422,
            )

    def pay(self, user_id: str, order_id: str, amount: Money, method: PaymentMethod) -> dict:
        """Validate, then send one signed, sealed payment request and apply the signed answer."""
        now = int(self.clock.now())
        with self.db.transaction() as connection:
            row = self._own_order(connection, user_id, order_id)
            expired = self._expired(row)
            if expired:  # close it for good (committed), then refuse below
                self._move(connection, row, OrderStatus.CLOSED)
            else:
                self._check_payable(row, amount)
                out_trade_no = f"{order_id}-{row['attempts'] + 1}"
                self._move(
                    connection,
                    row,
                    OrderStatus.PAYING,
                    attempts=row["attempts"] + 1,
                    out_trade_no=out_trade_no,
                    paying_since=now,
                    failure_code=None,
                )
        if expired:
            raise PaymentError(errors.ORDER_EXPIRED, "the order expired before it was paid", 409)
        body = self.build_payment_request(out_trade_no, amount, method, description=f"order {order_id}")
        reply = self._send(
            "3.3 payment request",
            "POST",
            PAYMENTS_PATH,
            body,
            idempotency_key=str(uuid.uuid4()),
            on_signed=self._request_clock(order_id, now),
        )
        self._apply_reply(order_id, out_trade_no, reply)
        return self.get_order(user_id, order_id)

    def _request_clock(self, order_id: str, first: int):
        """Keep ``paying_since`` at the newest signed timestamp of this attempt's requests.

        A request is acceptable to the gateway until its timestamp is a window old, so "no such
        payment" means "failed" only a window (plus clock skew) after the *last* one was signed.
        """
        latest = [first]

        def record(timestamp: int) -> None:
            if timestamp > latest[0]:
                latest[0] = timestamp
                with self.db.transaction() as connection:
                    connection.execute(
                        "UPDATE orders SET paying_since = ? WHERE order_id = ? AND paying_since < ?",
                        (timestamp, order_id, timestamp),
                    )

        return record

    def build_payment_request(
        self, out_trade_no: str, amount: Money, method: PaymentMethod, *, description: str
    ) -> bytes:
        """The exact JSON bytes of a payment request, the payer sealed to the gateway and this order."""
        sealed = secure.seal(
            self.gateway_public_key,
            json.dumps(method_to_json(method)).encode(),
            associated_data=envelope_context(self.merchant_id, out_trade_no),
            key_id=self.gateway_key_id,
        )
        document = {
            "merchant_id": self.merchant_id,
            "out_trade_no": out_trade_no,
            "amount": amount.to_json(),
            "description": description,
            "notify_url": self.notify_url,
            "payer": sealed.to_dict(),
        }
        return json.dumps(document, separators=(",", ":")).encode()

    def _send(
        self,
        label: str,
        method: str,
        path: str,
        body: bytes,
        *,
        idempotency_key: str | None = None,
        attempts: int = SEND_ATTEMPTS,
        on_signed=None,
    ) -> Reply | None:
        """Sign and send; on a network failure resend the same bytes (freshly signed) with the same key.

        ``on_signed(timestamp)`` runs before each attempt leaves, so the caller can record how long
        the gateway might still accept it.
        """
        url = self.gateway_url.rstrip("/") + path
        for _ in range(attempts):
            timestamp = int(self.clock.now())
            if on_signed is not None:
                on_signed(timestamp)
            headers = {
                "Content-Type": "application/json",
                **self.signer.sign_request(method, path, body, timestamp=timestamp),
            }
            if idempotency_key:
                headers[IDEMPOTENCY_KEY] = idempotency_key
            nonce = headers["Paycore-Nonce"]
            canonical = canonical_request(method, path, timestamp, nonce, body)
            try:
                reply = self.link.request(method, url, headers, body)
            except LinkError as exc:
                self.exchanges.append(Exchange(label, method, url, headers, body, canonical, error=str(exc)))
                continue
            self.exchanges.append(Exchange(label, method, url, headers, body, canonical, reply))
            self.verify_reply(reply, nonce)
            return reply
        return None

    # -- 3.6: answers ----------------------------------------------------------------------------------
    def verify_reply(self, reply: Reply, request_nonce: str) -> dict:
        """Accept a gateway answer only if the gateway's key signed it for this request; return its JSON."""
        try:
            signed = SignedHeaders.from_headers(reply.headers)
        except PaymentError:
            raise PaymentError(
                errors.GATEWAY_RESPONSE_INVALID,
                f"the gateway's answer (HTTP {reply.status}) is not signed: treated as forged",
                502,
            ) from None
        if signed.key_id != self.gateway_key_id or signed.algorithm is not self.gateway_algorithm:
            raise PaymentError(
                errors.GATEWAY_RESPONSE_INVALID,
                "the answer is not signed with the gateway's key and algorithm: treated as forged",
                502,
            )
        try:
            verify_signature(
                self.gateway_public_key,
                signed,
                canonical_response(reply.status, request_nonce, signed.timestamp, signed.nonce, reply.body),
            )
            replay.check_timestamp(signed.timestamp, self.clock.now(), self.window)
        except PaymentError as exc:
            raise PaymentError(
                errors.GATEWAY_RESPONSE_INVALID, f"the gateway's answer failed checks: {exc.message}", 502
            ) from None
        try:
            document = json.loads(reply.body)
        except ValueError:
            raise PaymentError(
                errors.GATEWAY_RESPONSE_INVALID, "the gateway's answer is not JSON", 502
            ) from None
        return document

    def _apply_reply(self, order_id: str, out_trade_no: str, reply: Reply | None) -> None:
        if reply is None:
            raise PaymentError(
                errors.GATEWAY_UNAVAILABLE,
                "the payment platform could not be reached; the order stays PAYING until it is reconciled",
                503,
            )
        document = json.loads(reply.body)
        if reply.status == 200:
            try:
                payment = schemas.PaymentResource.model_validate(document)
            except ValueError:
                raise PaymentError(
                    errors.GATEWAY_RESPONSE_INVALID, "the gateway's answer is not a payment", 502
                ) from None
            self._apply_payment(order_id, payment)
            return
        code = document.get("error", {}).get("code", "UNKNOWN")
        if code in (errors.REQUEST_IN_PROGRESS, errors.DUPLICATE_OUT_TRADE_NO) or reply.status >= 500:
            self.reconcile_order(order_id)  # the gateway may have acted: ask it, never guess
            return
        with self.db.transaction(
            durable=False
        ) as connection:  # refused before any money moved: the user may try again
            row = connection.execute("SELECT * FROM orders WHERE order_id = ?", (order_id,)).fetchone()
            if row["status"] == OrderStatus.PAYING.value and row["out_trade_no"] == out_trade_no:
                self._move(connection, row, OrderStatus.FAILED, failure_code=code)

    def _payment_problem(
        self, order_id: str | None, payment: schemas.PaymentResource, row
    ) -> PaymentError | None:
        """Why a (validly signed) payment result must not be applied to our order, if it must not."""
        if row is None or (order_id is not None and row["order_id"] != order_id):
            return PaymentError(
                errors.ORDER_NOT_FOUND,
                f"payment {payment.payment_id} names unknown out_trade_no {payment.out_trade_no}",
                404,
            )
        if payment.merchant_id != self.merchant_id:
            return PaymentError(
                errors.MERCHANT_MISMATCH, f"payment {payment.payment_id} is for another merchant", 403
            )
        if (payment.amount.value, payment.amount.currency) != (row["amount"], row["currency"]):
            return PaymentError(
                errors.AMOUNT_MISMATCH,
                f"payment {payment.payment_id} is for {payment.amount.value} "
                f"{payment.amount.currency}, the order is for {row['amount']} {row['currency']}",
                422,
            )
        return None

    @staticmethod
    def _order_for_trade(connection, out_trade_no: str):
        """The order of an ``out_trade_no``: its current attempt, or (by the prefix) an earlier one."""
        row = connection.execute("SELECT * FROM orders WHERE out_trade_no = ?", (out_trade_no,)).fetchone()
        if row is None and "-" in out_trade_no:
            row = connection.execute(
                "SELECT * FROM orders WHERE order_id = ?", (out_trade_no.rsplit("-", 1)[0],)
            ).fetchone()
        return row

    def _apply_payment(self, order_id: str | None, payment: schemas.PaymentResource) -> bool:
        """Apply a signed payment result (an answer or a query) once; True if it changed the order."""
        with self.db.transaction(durable=False) as connection:
            problem, changed = self._apply_payment_in(connection, order_id, payment)
        if problem is not None:
            self._refuse_with_alert(problem)
        return changed

    def _apply_payment_in(
        self, connection, order_id: str | None, payment: schemas.PaymentResource
    ) -> tuple[PaymentError | None, bool]:
        """Move the order to PAID or FAILED once, inside the caller's transaction; re-checks the amount.

        Returns ``(problem, changed)``: a problem is a refusal the caller raises (with an alert) after
        its transaction. A success that arrives for an order no longer waiting for it (failed or
        closed meanwhile, or an earlier attempt) changes nothing but raises an alert: the payer was
        charged and a person must refund or reopen the order.
        """
        now = self.clock.now()
        row = self._order_for_trade(connection, payment.out_trade_no)
        problem = self._payment_problem(order_id, payment, row)
        if problem is not None:
            problem.order_id = row["order_id"] if row else None  # for the alert
            return problem, False
        if row["out_trade_no"] == payment.out_trade_no and row["status"] == OrderStatus.PAYING.value:
            succeeded = payment.status == "SUCCEEDED"
            self._move(
                connection,
                row,
                OrderStatus.PAID if succeeded else OrderStatus.FAILED,
                payment_id=payment.payment_id,
                payer_display=payment.payer.display,
                paid_at=int(now) if succeeded else None,
                failure_code=payment.failure_code,
            )
            return None, True
        if payment.status == "SUCCEEDED" and row["payment_id"] != payment.payment_id:
            raise_alert(
                connection,
                row["order_id"],
                f"payment {payment.payment_id} ({payment.out_trade_no}) succeeded but the order is "
                f"{row['status']}: the payer was charged; refund it or reopen the order",
                now,
            )
        return None, False  # already applied (by the answer, a notification or a query)

    def _refuse_with_alert(self, problem: PaymentError) -> None:
        """Record the refusal as an alert (a durable commit of its own: it must outlive it), then raise."""
        with self.db.transaction() as connection:
            raise_alert(connection, getattr(problem, "order_id", None), problem.message, self.clock.now())
        raise problem

    # -- notifications (3.5 -> 3.6) ------------------------------------------------------------------------
    def handle_notification(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        """Verify, deduplicate, re-check and apply a gateway notification; return (status, JSON answer)."""
        try:
            signed = SignedHeaders.from_headers(headers)
            if signed.key_id != self.gateway_key_id:
                raise PaymentError(
                    errors.UNKNOWN_KEY, "notifications must be signed by the gateway's key", 401
                )
            if signed.algorithm is not self.gateway_algorithm:
                raise PaymentError(
                    errors.UNSUPPORTED_ALGORITHM,
                    f"the gateway signs with {self.gateway_algorithm.value}",
                    401,
                )
            verify_signature(
                self.gateway_public_key,
                signed,
                canonical_request("POST", path, signed.timestamp, signed.nonce, body),
            )
            now = self.clock.now()
            replay.check_timestamp(signed.timestamp, now, self.window)
            event = schemas.parse(schemas.Event, body)
            is_payment = event.type.startswith("payment.")
            data = _parse_model(schemas.PaymentResource if is_payment else schemas.RefundResource, event.data)
            problem = None
            with self.db.transaction(durable=False) as connection:  # one commit: nonce, dedup, apply, record
                replay.remember_nonce(
                    connection, signed.key_id, signed.nonce, signed.timestamp, now, self.window
                )
                seen = connection.execute(
                    "SELECT 1 FROM processed_events WHERE event_id = ?", (event.event_id,)
                ).fetchone()
                if not seen:
                    if is_payment:
                        problem, _ = self._apply_payment_in(connection, None, data)
                    else:
                        self._apply_refund_in(connection, data)
                    if problem is None:
                        _record_event(connection, event, now)
            if problem is not None:
                self._refuse_with_alert(problem)
            if seen:
                return 200, {"code": "SUCCESS", "duplicate": True}
            return 200, {"code": "SUCCESS"}
        except PaymentError as refusal:
            return refusal.status, refusal.to_json()

    # -- reconciliation --------------------------------------------------------------------------------------
    def reconcile(self, older_than: int = 0) -> list[tuple[str, str]]:
        """Query the gateway about every order stuck in PAYING; return (order id, new status) pairs."""
        cutoff = int(self.clock.now()) - older_than
        rows = self.db.query(
            "SELECT order_id FROM orders WHERE status = 'PAYING' AND paying_since <= ?", (cutoff,)
        )
        return [(row["order_id"], self.reconcile_order(row["order_id"])) for row in rows]

    def reconcile_order(self, order_id: str) -> str:
        """Ask the gateway (a signed query) what became of the order's current attempt, and apply it."""
        row = self.db.query_one("SELECT * FROM orders WHERE order_id = ?", (order_id,))
        if row is None or row["status"] != OrderStatus.PAYING.value:
            return row["status"] if row else "UNKNOWN"
        path = f"{PAYMENTS_PATH}/{row['out_trade_no']}"
        try:
            reply = self._send("reconcile query", "GET", path, b"")
        except PaymentError:
            return row["status"]
        if reply is not None and reply.status == 200:
            self._apply_payment(order_id, schemas.PaymentResource.model_validate_json(reply.body))
        elif (
            reply is not None
            and reply.status == 404
            and self.clock.now() - row["paying_since"] > self.window + CLOCK_SKEW_MARGIN
        ):
            # The last request never arrived, and can no longer: the gateway would refuse it as stale.
            with self.db.transaction() as connection:
                current = connection.execute(
                    "SELECT * FROM orders WHERE order_id = ?", (order_id,)
                ).fetchone()
                if current["status"] == OrderStatus.PAYING.value:
                    self._move(connection, current, OrderStatus.FAILED, failure_code="NOT_RECEIVED")
        return self.db.query_one("SELECT status FROM orders WHERE order_id = ?", (order_id,))["status"]

    # -- refunds ---------------------------------------------------------------------------------------------
    def refund(self, user_id: str, order_id: str, amount: Money, reason: str = "") -> dict:
        """Ask the gateway to return ``amount`` of a paid order to the payer."""
        with self.db.transaction() as connection:
            row = self._own_order(connection, user_id, order_id)
            if row["status"] not in (OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value):
                raise PaymentError(
                    errors.REFUND_NOT_ALLOWED,
                    f"the order is {row['status']}; only paid orders can be refunded",
                    409,
                )
            if amount.currency != row["currency"] or amount.minor_units > row["amount"] - row["refunded"]:
                raise PaymentError(
                    errors.REFUND_NOT_ALLOWED, "the refund exceeds what was paid and not yet refunded", 409
                )
            number = row["refunds"] + 1
            connection.execute("UPDATE orders SET refunds = ? WHERE order_id = ?", (number, order_id))
        document = {
            "merchant_id": self.merchant_id,
            "out_trade_no": row["out_trade_no"],
            "out_refund_no": f"{order_id}-R{number}",
            "amount": amount.to_json(),
            "reason": reason,
        }
        body = json.dumps(document, separators=(",", ":")).encode()
        reply = self._send("refund request", "POST", REFUNDS_PATH, body, idempotency_key=str(uuid.uuid4()))
        if reply is None:
            raise PaymentError(errors.GATEWAY_UNAVAILABLE, "the payment platform could not be reached", 503)
        if reply.status != 200:
            error = json.loads(reply.body).get("error", {})
            raise PaymentError(
                error.get("code", errors.REFUND_NOT_ALLOWED), error.get("message", "refused"), reply.status
            )
        self._apply_refund(schemas.RefundResource.model_validate_json(reply.body))
        return self.get_order(user_id, order_id)

    def _apply_refund(self, refund: schemas.RefundResource) -> None:
        with self.db.transaction(durable=False) as connection:
            self._apply_refund_in(connection, refund)

    def _apply_refund_in(self, connection, refund: schemas.RefundResource) -> None:
        """Record a refund's new total on its order, once (a smaller or equal total was seen already)."""
        row = connection.execute(
            "SELECT * FROM orders WHERE out_trade_no = ?", (refund.out_trade_no,)
        ).fetchone()
        if row is None:
            raise PaymentError(errors.ORDER_NOT_FOUND, "refund for an unknown out_trade_no", 404)
        total = refund.payment_refunded_total
        if total > row["refunded"]:
            new = OrderStatus.REFUNDED if total == row["amount"] else OrderStatus.PARTIALLY_REFUNDED
            self._move(connection, row, new, refunded=total)

    # -- HTTP glue -----------------------------------------------------------------------------------
    @property
    def notify_path(self) -> str:
        """The path part of the notification URL (what the gateway signs)."""
        return urlsplit(self.notify_url).path


def _record_event(connection, event: schemas.Event, now: float) -> None:
    connection.execute(
        "INSERT OR IGNORE INTO processed_events (event_id, type, received_at) VALUES (?, ?, ?)",
        (event.event_id, event.type, int(now)),
    )


def _parse_model(model, data: dict):
    try:
        return model.model_validate(data)
    except ValueError:
        raise PaymentError(
            errors.INVALID_REQUEST, "the notification data does not match its event type", 422
        ) from None
