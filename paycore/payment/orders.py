"""Order status and its state machine: every legal move is listed; everything else raises.

::

    CREATED --pay--> PAYING --ok--> PAID --refund--> PARTIALLY_REFUNDED --refund--> REFUNDED
       |               |              \\---------------- refund all -----------------^
       |               \\--declined--> FAILED --pay again--> PAYING
       \\--cancel / expire--> CLOSED <--cancel / expire-- FAILED

An order in PAYING is waiting for the payment platform; only its answer (a signed response, a
signed notification, or a reconciliation query) moves it on, so it cannot be closed meanwhile.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class OrderStatus(str, enum.Enum):
    """Where an order is in its life."""

    CREATED = "CREATED"
    PAYING = "PAYING"
    PAID = "PAID"
    FAILED = "FAILED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    CLOSED = "CLOSED"


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.CREATED: frozenset({OrderStatus.PAYING, OrderStatus.CLOSED}),
    OrderStatus.PAYING: frozenset({OrderStatus.PAID, OrderStatus.FAILED}),
    OrderStatus.FAILED: frozenset({OrderStatus.PAYING, OrderStatus.CLOSED}),
    OrderStatus.PAID: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.PARTIALLY_REFUNDED: frozenset({OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED}),
    OrderStatus.REFUNDED: frozenset(),
    OrderStatus.CLOSED: frozenset(),
}
"""The whole state machine: the statuses each status may move to."""

PAYABLE = frozenset({OrderStatus.CREATED, OrderStatus.FAILED})
"""Statuses from which an order may be paid (or expire unpaid)."""
REFUNDABLE = frozenset({OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED})
"""Statuses from which an order may be refunded."""


class IllegalTransition(ValueError):
    """An order was asked to move where the state machine does not allow."""


def check_transition(current: OrderStatus, new: OrderStatus) -> None:
    """Raise :class:`IllegalTransition` unless ``current -> new`` is in :data:`TRANSITIONS`.

    >>> check_transition(OrderStatus.CREATED, OrderStatus.PAYING)
    >>> check_transition(OrderStatus.PAID, OrderStatus.CREATED)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    paycore.payment.orders.IllegalTransition: an order cannot go from PAID to CREATED (allowed: ...)
    """
    current, new = OrderStatus(current), OrderStatus(new)
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(status.value for status in TRANSITIONS[current])) or "none: it is final"
        raise IllegalTransition(
            f"an order cannot go from {current.value} to {new.value} (allowed: {allowed})"
        )


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
