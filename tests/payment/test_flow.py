"""The six steps end to end, in process: orders, payments, failures, refunds, expiry."""

import pytest

from paycore.payment import Money, OrderStatus, PaymentError, Wallet
from paycore.payment.runtime.demo import MERCHANT_ID
from tests.payment.helpers import LOW_BALANCE_VISA, VISA, ledger_entries, new_order, payer_balance


def test_a_card_payment_goes_through_all_six_steps(world):
    order = new_order(world, price=9980)
    before = payer_balance(world)
    paid = world.merchant.pay("alice", order["order_id"], Money(9980, "CNY"), VISA)
    assert paid["status"] == OrderStatus.PAID and paid["payer"] == "411111******1111"
    assert payer_balance(world) == before - 9980
    assert world.gateway.balance(f"merchant:{MERCHANT_ID}:CNY") == 9980
    assert world.gateway.check_ledger() == {"CNY": 0, "USD": 0}
    labels = [exchange.label for exchange in world.wire_log]
    assert labels == ["3.3 payment request"]
    report = world.notifier.deliver_due()
    assert len(report.delivered) == 1 and report.retrying == report.dead == ()
    assert world.merchant.get_order("alice", order["order_id"])["status"] == OrderStatus.PAID


def test_a_wallet_payment(world):
    order = new_order(world, price=2500)
    paid = world.merchant.pay("alice", order["order_id"], Money(2500, "CNY"), Wallet("W-alice"))
    assert paid["status"] == OrderStatus.PAID and paid["payer"] == "W-al***ce"


def test_insufficient_funds_fails_the_payment_and_writes_no_entries(world):
    order = new_order(world, price=5000)
    entries = ledger_entries(world)
    failed = world.merchant.pay("alice", order["order_id"], Money(5000, "CNY"), LOW_BALANCE_VISA)
    assert failed["status"] == OrderStatus.FAILED and failed["failure_code"] == "INSUFFICIENT_FUNDS"
    assert ledger_entries(world) == entries
    # The payer may try again with another method: a new attempt, a new out_trade_no.
    paid = world.merchant.pay("alice", order["order_id"], Money(5000, "CNY"), VISA)
    assert paid["status"] == OrderStatus.PAID and paid["out_trade_no"].endswith("-2")
    world.gateway.check_ledger()


def test_unknown_card_and_wrong_currency_wallet_are_declined(world):
    from paycore.payment import Card

    order = new_order(world)
    declined = world.merchant.pay(
        "alice", order["order_id"], Money(100, "CNY"), Card("6011111111111117", "01/30", "123")
    )
    assert declined["failure_code"] == "CARD_DECLINED"
    declined = world.merchant.pay(
        "alice", order["order_id"], Money(100, "CNY"), Wallet("W-bob")
    )  # a USD wallet
    assert declined["failure_code"] == "CURRENCY_NOT_SUPPORTED"


def test_a_wrong_expiry_is_declined_like_an_unknown_card(world):
    from paycore.payment import Card

    order = new_order(world)
    declined = world.merchant.pay(
        "alice", order["order_id"], Money(100, "CNY"), Card("4111111111111111", "11/30", "123")
    )
    assert declined["failure_code"] == "CARD_DECLINED"


def test_expired_card_is_declined(world, clock):
    from paycore.payment import Card

    clock.advance(6 * 365 * 86400)  # 2031: the 12/30 card has expired
    order = new_order(world)
    assert (
        world.merchant.pay("alice", order["order_id"], Money(100, "CNY"), VISA)["failure_code"]
        == "CARD_EXPIRED"
    )
    assert (
        world.merchant.pay(
            "alice", order["order_id"], Money(100, "CNY"), Card("4000000000000002", "09/31", "123")
        )["status"]
        == OrderStatus.FAILED
    )


@pytest.mark.parametrize("amount", [Money(101, "CNY"), Money(100, "USD")])
def test_step_3_2_rejects_an_amount_that_is_not_the_orders(world, amount):
    order = new_order(world)
    with pytest.raises(PaymentError) as refusal:
        world.merchant.pay("alice", order["order_id"], amount, VISA)
    assert refusal.value.code == "AMOUNT_MISMATCH"
    assert world.merchant.get_order("alice", order["order_id"])["status"] == OrderStatus.CREATED
    assert len(world.wire_log) == 0  # nothing was sent


def test_step_3_2_rejects_other_users_and_unknown_orders_alike(world):
    order = new_order(world, user="alice")
    for user, order_id in (("mallory", order["order_id"]), ("alice", "ord_does_not_exist")):
        with pytest.raises(PaymentError) as refusal:
            world.merchant.pay(user, order_id, Money(100, "CNY"), VISA)
        assert (refusal.value.code, refusal.value.status) == ("ORDER_NOT_FOUND", 404)


def test_a_paid_order_cannot_be_paid_again(world):
    order = new_order(world)
    world.merchant.pay("alice", order["order_id"], Money(100, "CNY"), VISA)
    entries = ledger_entries(world)
    with pytest.raises(PaymentError) as refusal:
        world.merchant.pay("alice", order["order_id"], Money(100, "CNY"), VISA)
    assert refusal.value.code == "ORDER_NOT_PAYABLE"
    assert ledger_entries(world) == entries


def test_orders_expire_and_close(world, clock):
    order = new_order(world)
    clock.advance(15 * 60 + 1)
    with pytest.raises(PaymentError) as refusal:
        world.merchant.pay("alice", order["order_id"], Money(100, "CNY"), VISA)
    assert refusal.value.code == "ORDER_EXPIRED"
    assert world.merchant.get_order("alice", order["order_id"])["status"] == OrderStatus.CLOSED


def test_cancel_closes_and_close_expired_sweeps(world, clock):
    first, second = new_order(world), new_order(world)
    assert world.merchant.cancel_order("alice", first["order_id"])["status"] == OrderStatus.CLOSED
    with pytest.raises(PaymentError):
        world.merchant.cancel_order("alice", first["order_id"])
    clock.advance(3600)
    assert world.merchant.close_expired() == 1
    assert world.merchant.get_order("alice", second["order_id"])["status"] == OrderStatus.CLOSED


def test_partial_then_full_refund_returns_the_money(world):
    order = new_order(world, price=1000)
    world.merchant.pay("alice", order["order_id"], Money(1000, "CNY"), VISA)
    before = payer_balance(world)
    partial = world.merchant.refund("alice", order["order_id"], Money(300, "CNY"))
    assert (partial["status"], partial["refunded"]) == (OrderStatus.PARTIALLY_REFUNDED, 300)
    with pytest.raises(PaymentError) as refusal:
        world.merchant.refund("alice", order["order_id"], Money(701, "CNY"))
    assert refusal.value.code == "REFUND_NOT_ALLOWED"
    full = world.merchant.refund("alice", order["order_id"], Money(700, "CNY"))
    assert (full["status"], full["refunded"]) == (OrderStatus.REFUNDED, 1000)
    assert payer_balance(world) == before + 1000
    assert world.gateway.balance(f"merchant:{MERCHANT_ID}:CNY") == 0
    world.gateway.check_ledger()
    # three notifications (payment, two refunds), all late: each acknowledged, none applied twice
    report = world.notifier.deliver_due()
    assert len(report.delivered) == 3 and report.retrying == report.dead == ()
    assert world.merchant.get_order("alice", order["order_id"])["refunded"] == 1000


def test_refund_of_an_unpaid_order_is_refused(world):
    order = new_order(world)
    with pytest.raises(PaymentError) as refusal:
        world.merchant.refund("alice", order["order_id"], Money(100, "CNY"))
    assert refusal.value.code == "REFUND_NOT_ALLOWED"


def test_create_order_validates_items(world):
    from paycore.payment import LineItem

    with pytest.raises(PaymentError):
        world.merchant.create_order("alice", [], "CNY")
    with pytest.raises(PaymentError):
        world.merchant.create_order("alice", [LineItem("A", "a", 1, 100)], "XXX")
    with pytest.raises(TypeError):
        LineItem("A", "a", 1, 1.5)
    with pytest.raises(ValueError):
        LineItem("A", "a", 0, 100)
