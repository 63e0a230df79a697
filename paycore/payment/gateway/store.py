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

    def enqueue(self, *, event_id: str, merchant_id: str, url: str, body: bytes, now: float) -> None:
        """Queue a notification; it is due at once."""


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

    def ledger_report(self) -> LedgerReport:
        """The books' own figures, read consistently, for :func:`.ledger.check_invariants`."""

    def prune(self, now: float) -> dict[str, int]:
        """Housekeeping: delete a batch of expired nonces, old idempotency records and old delivered
        notifications (never a payment or a ledger row); how many of each."""

    def close(self) -> None:
        """Release the database."""
