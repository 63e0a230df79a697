"""What the merchant keeps -- orders, processed notifications, alerts, nonces -- and its store's interface.

As at the gateway, the service never sees SQL: it reads through a :class:`MerchantStore` and runs
each change as a unit of work (:meth:`MerchantStore.run`) on a :class:`MerchantUnitOfWork`. The
merchant never stores a card number or a CVV. :mod:`paycore.payment.merchant.sqlite` is the
SQLite implementation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from paycore.payment.money import Money
from paycore.payment.orders import OrderStatus
from paycore.payment.protocol.replay import NonceStore

T = TypeVar("T")

ORDER_FIELDS_SET_ON_MOVE = frozenset(
    {
        "attempts",
        "out_trade_no",
        "paying_since",
        "payment_id",
        "payer_display",
        "failure_code",
        "paid_at",
        "refunded",
    }
)
"""The columns a state move may set together with the status."""


@dataclass(frozen=True)
class Order:
    """One order as the merchant keeps it."""

    order_id: str
    user_id: str
    items: str
    """The line items as JSON text, as stored."""
    currency: str
    amount: int
    status: OrderStatus
    created_at: int
    expires_at: int
    attempts: int = 0
    out_trade_no: str | None = None
    paying_since: int | None = None
    payment_id: str | None = None
    payer_display: str | None = None
    failure_code: str | None = None
    paid_at: int | None = None
    refunded: int = 0
    refunds: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", OrderStatus(self.status))

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)

    def view(self) -> dict:
        """The order as the merchant API shows it to its user."""
        return {
            "order_id": self.order_id,
            "status": self.status.value,
            "amount": self.money.to_json(),
            "items": json.loads(self.items),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "out_trade_no": self.out_trade_no,
            "payment_id": self.payment_id,
            "payer": self.payer_display,
            "failure_code": self.failure_code,
            "paid_at": self.paid_at,
            "refunded": self.refunded,
        }


class MerchantUnitOfWork(NonceStore, Protocol):
    """The merchant's tables inside one open transaction."""

    def order(self, order_id: str) -> Order | None:
        """An order by its id."""

    def order_with_trade(self, out_trade_no: str) -> Order | None:
        """The order whose *current* attempt is ``out_trade_no``."""

    def insert_order(self, order: Order) -> None:
        """Record a new order."""

    def move(self, order: Order, new: OrderStatus, **columns: object) -> bool:
        """Set the status (and ``columns``) if the order is as read; ``False`` if it changed meanwhile."""

    def note_paying_since(self, order_id: str, timestamp: int) -> None:
        """Move ``paying_since`` forward to ``timestamp`` (never back)."""

    def count_refund(self, order_id: str, number: int) -> None:
        """Record that the order's refund number ``number`` is taken."""

    def close_expired(self, now: int, order_id: str | None = None) -> int:
        """Close unpaid orders (or one) whose expiry has passed; how many."""

    def event_seen(self, event_id: str) -> bool:
        """Whether a notification with this event id was processed."""

    def record_event(self, event_id: str, event_type: str, now: float) -> None:
        """Remember a processed notification."""

    def record_alert(self, order_id: str | None, message: str, now: float) -> None:
        """Record something a person must look at (a result whose amount differs, say)."""


class MerchantStore(Protocol):
    """The merchant's tables: reads, and units of work."""

    def run(self, work: Callable[[MerchantUnitOfWork], T], *, durable: bool = True) -> T:
        """Run ``work(unit)`` in one transaction; ``durable=False`` only where a lost write is harmless."""

    def order(self, order_id: str) -> Order | None:
        """An order by its id."""

    def paying_orders(self, since_before: int) -> list[str]:
        """Ids of the orders in PAYING whose last request was signed at or before ``since_before``."""

    def alerts(self) -> list[dict]:
        """Every alert, oldest first."""

    def prune(self, now: float) -> dict[str, int]:
        """Housekeeping: delete a batch of nonces whose window has passed; how many."""

    def close(self) -> None:
        """Release the database."""
