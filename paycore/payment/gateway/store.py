"""What the gateway keeps, and the interface of the store that keeps it.

The service never sees SQL or a connection. It asks a :class:`GatewayStore` for reads, and runs
each change as one *unit of work*: :meth:`GatewayStore.run` calls ``work(unit)`` inside one
transaction, where ``unit`` (a :class:`GatewayUnitOfWork`) offers the ledger's rows, the
idempotency records, the nonce store, payments, refunds and the outbox, all committed together or
not at all. A store for a server database may run ``work`` again from the start after a transient
conflict (a serialization failure), so ``work`` does nothing outside the transaction.

:mod:`paycore.payment.gateway.sqlite` is the SQLite implementation (the embedded default).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from paycore.payment.gateway.idempotency import Claims
from paycore.payment.gateway.ledger import Book, LedgerReport
from paycore.payment.gateway.outbox import Mailroom
from paycore.payment.money import Money
from paycore.payment.protocol.replay import NonceStore

T = TypeVar("T")
KEEP_IDEMPOTENCY_SECONDS = 24 * 3600
"""How long an idempotency key and its answer are kept: a day, as payment APIs commonly promise."""
KEEP_DELIVERED_SECONDS = 7 * 24 * 3600
"""How long a delivered notification stays in the outbox (for the operator) before it is deleted."""


def new_id(prefix: str) -> str:
    """A random id such as ``pay_3f9c...`` (96 bits from the OS CSPRNG)."""
    return f"{prefix}_{secrets.token_hex(12)}"


@dataclass(frozen=True)
class MerchantKeyRecord:
    """A registered merchant key: whose it is, the key, and the one algorithm it may sign with."""

    key_id: str
    merchant_id: str
    merchant_name: str
    public_key_pem: bytes
    algorithm: str


@dataclass(frozen=True)
class PayerRecord:
    """A payment method the issuer knows: its token or wallet id, its account, and a card's CVV check."""

    method_id: str
    kind: str
    display: str
    account_id: str
    cvv_check: str | None = None


@dataclass(frozen=True)
class PaymentRecord:
    """One row of ``payments``: a payment the gateway took (or declined), as it answers about it."""

    payment_id: str
    merchant_id: str
    out_trade_no: str
    status: str
    currency: str
    amount: int
    refunded: int
    payer_type: str
    payer_display: str
    payer_account: str | None
    failure_code: str | None
    notify_url: str
    created_at: int

    def resource(self) -> dict:
        """The JSON resource of the API (:class:`~paycore.payment.protocol.schemas.PaymentResource`)."""
        return {
            "payment_id": self.payment_id,
            "merchant_id": self.merchant_id,
            "out_trade_no": self.out_trade_no,
            "status": self.status,
            "amount": Money(self.amount, self.currency).to_json(),
            "refunded": self.refunded,
            "payer": {"type": self.payer_type, "display": self.payer_display},
            "failure_code": self.failure_code,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class RefundRecord:
    """One row of ``refunds``: money returned from a payment under the merchant's refund number."""

    refund_id: str
    merchant_id: str
    out_refund_no: str
    payment_id: str
    amount: int
    created_at: int


@dataclass(frozen=True)
class DialectMerchantRecord:
    """A merchant of a platform dialect (WeChat Pay v3, Alipay): its ids there, its key, its secrets."""

    merchant_id: str
    """The gateway's own id for it: ``wechatpay:<mchid>`` or ``alipay:<app_id>``."""
    dialect: str
    external_id: str
    """The id its requests carry: WeChat Pay's ``mchid``, Alipay's ``app_id``."""
    appid: str
    name: str
    key_serial: str
    """The serial number its requests name their key by (WeChat Pay); empty for Alipay."""
    public_key_pem: bytes
    apiv3_key: str
    """WeChat Pay's APIv3 key, which encrypts what the platform sends the merchant; empty for Alipay."""
    platform_key_mode: str
    """How the merchant knows the platform's key: ``public_key`` (by its id) or ``certificate``."""


@dataclass(frozen=True)
class TradeRecord:
    """One row of ``trades``: an order a dialect created, waiting for the payer at the cashier."""

    trade_id: str
    dialect: str
    merchant_id: str
    out_trade_no: str
    trade_type: str
    currency: str
    amount: int
    description: str
    notify_url: str
    attach: str
    cashier_token: str
    status: str
    """``WAITING`` (for the payer), ``PAID`` or ``CLOSED``; each dialect names them its own way."""
    payment_id: str | None
    fingerprint: str
    """SHA-256 of the fields that define the order: a repeat with the same ones is the same order."""
    created_at: int
    scanned_at: int | None
    paid_at: int | None
    closed_at: int | None


class GatewayUnitOfWork(Book, Claims, NonceStore, Protocol):
    """The gateway's tables inside one open transaction."""

    def complete_claim(self, scope: str, key: str, status: int, body: bytes) -> None:
        """Store the final answer of an idempotency key."""

    def release_claim(self, scope: str, key: str) -> None:
        """Forget an unfinished claim (the request failed before acting), so a retry can run."""

    def save_merchant_key(self, record: MerchantKeyRecord) -> None:
        """Register (or replace) a merchant key."""

    def payer_method(self, method_id: str) -> PayerRecord | None:
        """The account behind a card token or wallet id (and a card's CVV check), if the issuer knows it."""

    def add_payer_method(self, record: PayerRecord) -> None:
        """Record a card token or wallet id, its account and (for a card) its CVV check."""

    def save_notify_origins(self, merchant_id: str, origins: tuple[str, ...]) -> None:
        """Replace the origins a merchant's notifications may go to."""

    def find_payment(self, merchant_id: str, out_trade_no: str) -> PaymentRecord | None:
        """The payment a merchant made under ``out_trade_no``, if any."""

    def insert_payment(self, record: PaymentRecord) -> None:
        """Record a payment (``out_trade_no`` is unique per merchant)."""

    def add_refunded(self, payment_id: str, amount: int) -> None:
        """Add ``amount`` to what was refunded of a payment (never beyond its amount)."""

    def refund_number_used(self, merchant_id: str, out_refund_no: str) -> bool:
        """Whether the merchant used this refund number already."""

    def insert_refund(
        self, *, refund_id: str, merchant_id: str, out_refund_no: str, payment_id: str, amount: int, now: int
    ) -> None:
        """Record a refund."""

    def enqueue(
        self, *, event_id: str, merchant_id: str, url: str, body: bytes, now: float, format: str = "paycore/1"
    ) -> None:
        """Queue a notification; it is due at once. ``format`` says how the notifier signs each attempt."""

    # -- the dialects' trades (paycore.payment.gateway.dialects) ----------------------------------
    def save_dialect_merchant(self, record: DialectMerchantRecord) -> None:
        """Register (or replace) a dialect merchant."""

    def insert_trade(self, record: TradeRecord) -> None:
        """Record a new trade (``out_trade_no`` is unique per merchant)."""

    def find_trade(
        self,
        merchant_id: str,
        *,
        out_trade_no: str | None = None,
        trade_id: str | None = None,
        payment_id: str | None = None,
    ) -> TradeRecord | None:
        """A merchant's trade by its order number, the platform's trade id, or its payment's id."""

    def trade_by_token(self, token: str) -> TradeRecord | None:
        """The trade a cashier URL opens."""

    def update_trade(
        self, trade_id: str, *, status: str | None = None, payment_id: str | None = None, **times: int
    ) -> None:
        """Move a trade on: its status, its payment, and when (``scanned_at``, ``paid_at``, ``closed_at``)."""

    def find_refund(self, merchant_id: str, out_refund_no: str) -> RefundRecord | None:
        """A merchant's refund by its refund number."""

    def add_payment_code(self, code_hash: str, wallet: str, expires_at: float) -> None:
        """Record a one-time payment code for a wallet."""

    def take_payment_code(self, code_hash: str, now: float) -> str | None:
        """The wallet behind a payment code that has not expired; the code is used up."""


class GatewayStore(Mailroom, Protocol):
    """The gateway's tables: reads, and units of work."""

    def run(self, work: Callable[[GatewayUnitOfWork], T], *, durable: bool = True) -> T:
        """Run ``work(unit)`` in one transaction and return what it returns.

        ``durable=False`` lets the commit skip the disk flush; only for writes whose loss is harmless.
        """

    def merchant_key(self, key_id: str) -> MerchantKeyRecord | None:
        """A registered merchant key by its id."""

    def notify_origins(self, merchant_id: str) -> tuple[str, ...]:
        """The origins a merchant registered for its notifications."""

    def find_payment(self, merchant_id: str, out_trade_no: str) -> PaymentRecord | None:
        """The payment a merchant made under ``out_trade_no``, if any."""

    def balance(self, account_id: str) -> int | None:
        """An account's balance in minor units (``None`` for no such account)."""

    def dialect_merchant(self, dialect: str, external_id: str) -> DialectMerchantRecord | None:
        """A dialect merchant by the id its requests carry (``mchid``, ``app_id``)."""

    def find_trade(
        self,
        merchant_id: str,
        *,
        out_trade_no: str | None = None,
        trade_id: str | None = None,
        payment_id: str | None = None,
    ) -> TradeRecord | None:
        """A merchant's trade by its order number, the platform's trade id, or its payment's id."""

    def trade_by_token(self, token: str) -> TradeRecord | None:
        """The trade a cashier URL opens."""

    def find_refund(self, merchant_id: str, out_refund_no: str) -> RefundRecord | None:
        """A merchant's refund by its refund number."""

    def ledger_report(self) -> LedgerReport:
        """The books' own figures, read consistently, for :func:`.ledger.check_invariants`."""

    def prune(self, now: float) -> dict[str, int]:
        """Housekeeping: delete a batch of expired nonces, old idempotency records and old delivered
        notifications (never a payment or a ledger row); how many of each."""

    def close(self) -> None:
        """Release the database."""
