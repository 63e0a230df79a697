"""The payment flow of the seed article, sections 3.1 to 3.6, built for real.

A user orders and pays at the **merchant** (the e-commerce platform); the merchant validates the
order, seals the payer's details to the **gateway** (the payment platform), signs the request and
sends it over HTTP; the gateway verifies it, debits the payer in a double-entry **ledger**, signs
its answer and queues a signed **notification**; the merchant verifies the answer and updates the
order once. This package uses :mod:`paycore.secure` only -- never the textbook layer.

Laid out along the wire:

* the domain, light and free of I/O: :mod:`.money`, :mod:`.orders` (the state machine and line
  items), :mod:`.methods` (cards and wallets), :mod:`.clock`, :mod:`.errors` (every error code);
* :mod:`.protocol`: ``paycore/1`` itself, shared by both parties -- routes, canonical strings, the
  signer and the one verifier, the replay window, the wire shapes;
* :mod:`.gateway` and :mod:`.merchant`, side by side (neither imports the other): each a service, a
  store that owns its SQL (on :mod:`.storage`), and a FastAPI app (on :mod:`.web`);
* :mod:`.runtime`: links, the wire log, and the one place the parties are wired (:func:`build_world`).

Importing this package loads no web framework; :func:`build_world` and :class:`World` load it on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paycore.payment.clock import FakeClock, SystemClock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money
from paycore.payment.orders import LineItem, OrderStatus

if TYPE_CHECKING:
    from paycore.payment.runtime.world import World, build_world

__all__ = [
    "Card",
    "ErrorCode",
    "FakeClock",
    "LineItem",
    "Money",
    "OrderStatus",
    "PaymentError",
    "SystemClock",
    "Wallet",
    "World",
    "build_world",
]


def __getattr__(name: str):
    """``build_world`` and ``World`` come from :mod:`.runtime.world`, imported only when asked for."""
    if name in ("World", "build_world"):
        from paycore.payment.runtime import world

        return getattr(world, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
