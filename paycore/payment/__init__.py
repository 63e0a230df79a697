"""The payment flow of the seed article, sections 3.1 to 3.6, built for real.

A user orders and pays at the **merchant** (the e-commerce platform); the merchant validates the
order, seals the payer's details to the **gateway** (the payment platform), signs the request and
sends it over HTTP; the gateway verifies it, debits the payer in a double-entry **ledger**, signs
its answer and queues a signed **notification**; the merchant verifies the answer and updates the
order once. This package uses :mod:`paycore.secure` only -- never the textbook layer.

Modules, one idea each: :mod:`money`, :mod:`orders` (the state machine), :mod:`methods` (cards and
wallets), :mod:`signatures` (the signed message format), :mod:`replay`, :mod:`idempotency`,
:mod:`ledger`, :mod:`outbox`, :mod:`gateway`, :mod:`merchant`, :mod:`transport`, :mod:`world`
(wiring both parties together) and the FastAPI apps in :mod:`paycore.payment.http`.
"""

from paycore.payment.clock import FakeClock, SystemClock
from paycore.payment.errors import PaymentError
from paycore.payment.merchant import LineItem
from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money
from paycore.payment.orders import OrderStatus
from paycore.payment.world import World, build_world

__all__ = [
    "Card",
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
