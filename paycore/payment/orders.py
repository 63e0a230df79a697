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


class OrderStatus(str, enum.Enum):
    """Where an order is in its life."""

    CREATED = "CREATED"
    PAYING = "PAYING"
    PAID = "PAID"
    FAILED = "FAILED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    CLOSED = "CLOSED"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.CREATED: frozenset({S.PAYING, S.CLOSED}),
    S.PAYING: frozenset({S.PAID, S.FAILED}),
    S.FAILED: frozenset({S.PAYING, S.CLOSED}),
    S.PAID: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.REFUNDED: frozenset(),
    S.CLOSED: frozenset(),
}
"""The whole state machine: the statuses each status may move to."""

PAYABLE = frozenset({S.CREATED, S.FAILED})
FINAL = frozenset({S.PAID, S.PARTIALLY_REFUNDED, S.REFUNDED, S.CLOSED, S.FAILED})
"""Statuses after which no answer from the payment platform is awaited."""


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
