"""What the protocol attacks (14-20) share: the real parties to attack, and a captured request.

The production side of every protocol attack runs against the real merchant and gateway of
:mod:`paycore.payment`, built in process by :func:`~paycore.payment.runtime.world.build_world` with a
fake clock (so "an hour later" takes no time) and production keys from the lab's keyring.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from paycore.attacks.keyring import production_keys
from paycore.payment import FakeClock, LineItem, Money, PaymentError, Wallet, build_world
from paycore.payment.protocol import PAYMENTS_PATH
from paycore.payment.runtime.world import GATEWAY_URL, World

START = 1_764_201_600
AMOUNT = 9_980
PAYER = Wallet("W-alice")
PAYER_ACCOUNT = "payer:W-alice:CNY"


def real_world() -> World:
    """The real gateway and merchant, in process, on production keys and a fake clock."""
    merchant_key, gateway_key, _attacker, gateway_encryption_key = production_keys(4)
    return build_world(
        clock=FakeClock(START),
        merchant_key=merchant_key,
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
    )


def attacker_key():
    """A production-grade key that belongs to the attacker, not to any party."""
    return production_keys(3)[2]


@dataclass(frozen=True)
class Captured:
    """A payment request as an eavesdropper saw it on the wire."""

    headers: dict[str, str]
    body: bytes


def capture_payment(
    world: World,
    out_trade_no: str,
    amount: int = AMOUNT,
    *,
    timestamp: int | None = None,
    idempotency_key: str | None = None,
) -> Captured:
    """A request the real merchant built and signed (what the attacker records)."""
    body = world.merchant.build_payment_request(out_trade_no, Money(amount, "CNY"), PAYER, description="lab")
    stamp = int(world.clock.now()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json",
        **world.merchant.signer.sign_request("POST", PAYMENTS_PATH, body, timestamp=stamp),
        "Idempotency-Key": idempotency_key or str(uuid.uuid4()),
    }
    return Captured(headers, body)


def send(world: World, captured: Captured):
    """Deliver a (possibly tampered) request to the real gateway."""
    return world.network.request("POST", GATEWAY_URL + PAYMENTS_PATH, captured.headers, captured.body)


def paying_order(world: World) -> str:
    """An order left waiting in PAYING (its request never reached the gateway); returns its out_trade_no."""
    order = world.merchant.create_order("alice", [LineItem("TEA-1", "Green tea", 2, AMOUNT // 2)], "CNY")
    world.network.take_down(GATEWAY_URL)
    try:
        world.merchant.pay("alice", order["order_id"], Money(AMOUNT, "CNY"), PAYER)
    except PaymentError:  # GATEWAY_UNAVAILABLE is exactly what we wanted
        pass
    finally:
        world.network.bring_up(GATEWAY_URL)
    return world.merchant.get_order("alice", order["order_id"])["out_trade_no"]


def order_status(world: World, out_trade_no: str) -> str:
    """The real merchant's status for an order, by its out_trade_no."""
    return world.merchant.store.order(out_trade_no.rsplit("-", 1)[0]).status.value
