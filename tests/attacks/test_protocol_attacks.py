"""Attacks 14-20: each breaks its naive party and fails against the real merchant and gateway.

The runners judge success by the state they set up (what the payer was charged, what the order's
status became), never by what the attack says about itself; these tests add what the state
should be on each side, and that the naive parties are vulnerable only through their named flaw.
"""

import pytest

from paycore.attacks import protocol_common, protocol_gateway, protocol_merchant
from paycore.attacks.naive_parties import NaiveGateway, NaiveMerchant, Refused
from paycore.attacks.registry import run, select
from paycore.payment.errors import PaymentError

EXPECTED_DEFENCE = {
    "replay": "REPLAYED_NONCE",
    "amount-tampering": "INVALID_SIGNATURE",
    "forged-notification": "UNKNOWN_KEY",
    "wrong-verification-key": "UNKNOWN_KEY",
    "stale-and-future-timestamps": "TIMESTAMP_OUT_OF_WINDOW",
    "idempotency-key-reuse": "IDEMPOTENCY_KEY_REUSED",
    "notification-amount-mismatch": "AMOUNT_MISMATCH",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_DEFENCE))
def test_breaks_the_naive_party_and_fails_on_the_real_one(name):
    (attack,) = select([name])
    assert 14 <= attack.number <= 20
    broken, defended = run(attack, "vulnerable"), run(attack, "production")
    assert broken.error is None and broken.succeeded, broken.detail
    assert defended.error is None and not defended.succeeded, defended.detail
    assert EXPECTED_DEFENCE[name] in defended.detail


def test_the_real_gateway_charges_a_replayed_request_once():
    with protocol_common.real_world() as world:
        before = world.gateway.balance(protocol_common.PAYER_ACCOUNT)
        captured = protocol_common.capture_payment(world, "T-REPLAY")
        assert protocol_common.send(world, captured).status == 200
        for _ in range(3):
            assert protocol_common.send(world, captured).status == 401
        assert before - world.gateway.balance(protocol_common.PAYER_ACCOUNT) == protocol_common.AMOUNT
        world.gateway.check_ledger()


def test_the_naive_gateway_with_every_switch_on_refuses_replays_and_tampering():
    """Its weaknesses are the named switches, not accidents: turned off, the attacks fail."""
    with protocol_common.real_world() as world:
        gateway = NaiveGateway(world.merchant.signer.private_key.public_key(), world.clock)
        captured = protocol_common.capture_payment(world, "T-NAIVE")
        gateway.pay(captured.headers, captured.body)
        with pytest.raises(Refused, match="nonce"):
            gateway.pay(captured.headers, captured.body)
        tampered = protocol_gateway._tamper_amount(protocol_common.capture_payment(world, "T-NAIVE-2"), 1)
        with pytest.raises(PaymentError):
            gateway.pay(tampered.headers, tampered.body)
        future = protocol_common.capture_payment(world, "T-NAIVE-3", timestamp=int(world.clock.now()) + 3600)
        with pytest.raises(Refused, match="future"):
            gateway.pay(future.headers, future.body)
        assert gateway.charged == [protocol_common.AMOUNT]


def test_the_naive_merchant_with_pinning_and_rechecks_refuses_forgeries():
    with protocol_common.real_world() as world:
        merchant = NaiveMerchant(
            world.gateway.signer.private_key.public_key(), out_trade_no="O-1", amount=9980
        )
        unsigned = protocol_merchant.fake_event("O-1", 9980)
        with pytest.raises(PaymentError):
            merchant.notify("/paycore/notify", {}, unsigned)
        short = protocol_merchant.fake_event("O-1", 1)
        headers = protocol_merchant.signed_headers(world.gateway.signer, short, int(world.clock.now()))
        with pytest.raises(Refused, match="amount"):
            merchant.notify("/paycore/notify", headers, short)
        good = protocol_merchant.fake_event("O-1", 9980)
        headers = protocol_merchant.signed_headers(world.gateway.signer, good, int(world.clock.now()))
        assert merchant.notify("/paycore/notify", headers, good) == "PAID"


def test_the_real_merchant_raises_an_alert_for_the_short_payment():
    with protocol_common.real_world() as world:
        out_trade_no = protocol_common.paying_order(world)
        body = protocol_merchant.fake_event(out_trade_no, 1)
        headers = protocol_merchant.signed_headers(world.gateway.signer, body, int(world.clock.now()))
        reply = world.network.request("POST", "http://merchant.paycore.test/paycore/notify", headers, body)
        assert reply.status == 422
        assert protocol_common.order_status(world, out_trade_no) == "PAYING"
        assert "is for 1 CNY" in world.merchant.db.query_one("SELECT message FROM alerts")["message"]


def test_the_naive_gateway_with_defaults_holds_at_the_window_edges():
    """All switches at their defaults: no replay at the exact edge, nor of a request signed ahead."""
    with protocol_common.real_world() as world:
        gateway = NaiveGateway(world.merchant.signer.private_key.public_key(), world.clock)
        start = int(world.clock.now())
        for offset, name in ((0, "T-EDGE-NOW"), (200, "T-EDGE-AHEAD")):
            captured = protocol_common.capture_payment(world, name, timestamp=start + offset)
            world.clock.set(start)
            gateway.pay(captured.headers, captured.body)
            for later in range(25, 700, 25):
                world.clock.set(start + later)
                with pytest.raises((Refused, PaymentError)):
                    gateway.pay(captured.headers, captured.body)
            world.clock.set(start + 300 + offset)  # the very last second the timestamp is acceptable
            with pytest.raises(Refused, match="nonce"):
                gateway.pay(captured.headers, captured.body)
        assert gateway.charged == [protocol_common.AMOUNT, protocol_common.AMOUNT]
