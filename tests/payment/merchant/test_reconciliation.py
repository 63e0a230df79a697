"""Reconciliation alone: orders stuck in PAYING, settled by signed queries to the fake gateway link."""

import pytest

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant.reconciliation import CLOCK_SKEW_MARGIN
from paycore.payment.orders import OrderStatus
from paycore.payment.protocol import PAYMENTS_PATH
from tests.payment.builders import T0, order_record, payment_resource, stored

S = OrderStatus


@pytest.fixture
def paying(store):
    """Order ord_a, in PAYING since T0 (the fake clock's start) as ord_a-1; the gateway has no answer yet."""
    return stored(store, order_record("ord_a", status=S.PAYING, paying_since=T0))


def test_a_payment_the_gateway_took_settles_the_order(merchant, fake_gateway, paying):
    fake_gateway.payments["ord_a-1"] = payment_resource("ord_a-1", 1000)
    assert merchant.reconcile() == [("ord_a", "PAID")]
    [query] = fake_gateway.received
    assert (query.method, query.target) == ("GET", PAYMENTS_PATH + "/ord_a-1")
    assert merchant.reconcile() == []  # nothing left in PAYING


def test_a_declined_payment_settles_the_order_as_failed(merchant, fake_gateway, paying):
    fake_gateway.payments["ord_a-1"] = payment_resource("ord_a-1", 1000, status="FAILED", failure_code="X")
    assert merchant.reconcile_order("ord_a") == "FAILED"


def test_no_such_payment_means_failed_only_once_the_last_request_can_no_longer_arrive(
    merchant, paying, clock
):
    assert CLOCK_SKEW_MARGIN == 60
    clock.set(T0 + 300 + CLOCK_SKEW_MARGIN)
    assert merchant.reconcile() == [("ord_a", "PAYING")]  # still acceptable, at the very edge
    clock.advance(1)
    assert merchant.reconcile() == [("ord_a", "FAILED")]
    assert merchant.store.order("ord_a").failure_code == "NOT_RECEIVED"


def test_the_wait_is_measured_from_the_last_signed_copy(merchant, store, clock):
    stored(store, order_record("ord_a", status=S.PAYING, paying_since=T0 + 20))
    clock.set(T0 + 361)
    assert merchant.reconcile_order("ord_a") == "PAYING"
    clock.set(T0 + 381)
    assert merchant.reconcile_order("ord_a") == "FAILED"


@pytest.mark.parametrize("trouble", ["unreachable", "unsigned", "refused"])
def test_an_answer_we_cannot_trust_or_use_leaves_the_order_waiting(
    merchant, fake_gateway, paying, clock, trouble
):
    fake_gateway.payments["ord_a-1"] = payment_resource("ord_a-1", 1000)
    if trouble == "refused":
        fake_gateway.refuse = (500, "INTERNAL_ERROR")
    else:
        setattr(fake_gateway, trouble, True)
    clock.advance(3600)
    assert merchant.reconcile_order("ord_a") == "PAYING"  # no exception: try again later
    assert merchant.reconcile() == [("ord_a", "PAYING")]


def test_a_query_answer_for_another_amount_is_refused_with_an_alert(merchant, fake_gateway, paying):
    fake_gateway.payments["ord_a-1"] = payment_resource("ord_a-1", 1)
    with pytest.raises(PaymentError) as refusal:
        merchant.reconcile_order("ord_a")
    assert refusal.value.code is ErrorCode.AMOUNT_MISMATCH
    assert merchant.store.order("ord_a").status is S.PAYING and len(merchant.store.alerts()) == 1


def test_a_query_answer_about_another_order_is_refused(merchant, fake_gateway, paying, store):
    other = stored(store, order_record("ord_b", status=S.PAYING, paying_since=T0))
    fake_gateway.payments["ord_a-1"] = payment_resource("ord_a-1", 1000)
    fake_gateway.tamper = {"out_trade_no": "ord_b-1"}
    with pytest.raises(PaymentError) as refusal:
        merchant.reconcile_order("ord_a")
    assert refusal.value.code is ErrorCode.ORDER_NOT_FOUND and store.order("ord_b") == other


def test_only_orders_waiting_long_enough_are_queried(merchant, fake_gateway, store, clock):
    stored(store, order_record("ord_old", status=S.PAYING, paying_since=T0 - 100))
    stored(store, order_record("ord_new", status=S.PAYING, paying_since=T0))
    assert merchant.reconcile(older_than=50) == [("ord_old", "PAYING")]
    assert [sent.target for sent in fake_gateway.received] == [PAYMENTS_PATH + "/ord_old-1"]


def test_an_order_not_in_paying_is_not_queried(merchant, fake_gateway, store):
    stored(store, order_record("ord_p", status=S.PAID))
    assert merchant.reconcile_order("ord_p") == "PAID"
    assert merchant.reconcile_order("ord_none") == "UNKNOWN"
    assert fake_gateway.received == []


def test_the_reconciler_queries_every_paying_order_by_default(merchant, fake_gateway, paying, clock):
    """``older_than`` defaults to 0: an order whose last request was signed this second is asked about."""
    fake_gateway.payments["ord_a-1"] = payment_resource("ord_a-1", 1000)
    assert clock.now() == T0
    assert merchant.reconciler.reconcile() == [("ord_a", "PAID")]


def test_one_refused_answer_does_not_stop_the_sweep(merchant, fake_gateway, store):
    """ord_a's answer names another amount (an alert; it stays PAYING); ord_b after it is still settled."""
    stored(store, order_record("ord_a", status=S.PAYING, paying_since=T0))
    stored(store, order_record("ord_b", status=S.PAYING, paying_since=T0))
    fake_gateway.payments["ord_a-1"] = payment_resource("ord_a-1", 1)
    fake_gateway.payments["ord_b-1"] = payment_resource("ord_b-1", 1000, payment_id="pay_b")
    assert sorted(merchant.reconcile()) == [("ord_a", "PAYING"), ("ord_b", "PAID")]
    [alert] = merchant.store.alerts()
    assert alert["order_id"] == "ord_a" and "is for 1 CNY" in alert["message"]
