"""Step 3.6 alone: a signed result re-checked against the merchant's own order, applied once, or refused.

The results here are already "validly signed" (they are built as the parsed resources the verifier
would hand on); what is tested is what a signature cannot say: that the result is about *this*
merchant, *this* order and *this* amount -- and that refunds only move forward.
"""

import pytest

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant import results
from paycore.payment.orders import OrderStatus
from paycore.payment.protocol import schemas
from tests.payment.builders import MERCHANT_ID, T0, order_record, payment_resource, refund_resource, stored

S = OrderStatus


def payment(out_trade_no="ord_a-1", amount=1000, **kwargs) -> schemas.PaymentResource:
    return schemas.PaymentResource.model_validate(payment_resource(out_trade_no, amount, **kwargs))


def refund(out_trade_no, amount, total, currency="CNY") -> schemas.RefundResource:
    document = refund_resource(out_trade_no, amount, total)
    document["amount"]["currency"] = currency
    return schemas.RefundResource.model_validate(document)


def apply(store, result, asked_about="ord_a", now=T0 + 5):
    return store.run(lambda unit: results.apply_payment(unit, MERCHANT_ID, asked_about, result, now))


# -- payment_refusal, the pure check ---------------------------------------------------------------------
def test_a_result_for_our_order_merchant_and_amount_passes():
    order = order_record("ord_a", status=S.PAYING)
    assert results.payment_refusal(MERCHANT_ID, "ord_a", payment(), order) is None
    assert results.payment_refusal(MERCHANT_ID, None, payment(), order) is None  # a notification


def test_a_result_naming_no_order_we_know_is_refused():
    refusal = results.payment_refusal(MERCHANT_ID, None, payment("ord_x-1"), None)
    assert (refusal.code, refusal.order_id) == (ErrorCode.ORDER_NOT_FOUND, None)
    assert "unknown out_trade_no ord_x-1" in refusal.message


def test_an_answer_about_another_order_than_the_one_we_asked_about_is_refused():
    other = order_record("ord_b", status=S.PAYING)
    refusal = results.payment_refusal(MERCHANT_ID, "ord_a", payment("ord_b-1"), other)
    assert (refusal.code, refusal.order_id) == (ErrorCode.ORDER_NOT_FOUND, "ord_b")


def test_a_result_for_another_merchant_is_refused():
    order = order_record("ord_a", status=S.PAYING)
    refusal = results.payment_refusal(MERCHANT_ID, "ord_a", payment(merchant_id="M999999"), order)
    assert (refusal.code, refusal.status, refusal.order_id) == (ErrorCode.MERCHANT_MISMATCH, 403, "ord_a")
    assert "another merchant" in refusal.message


@pytest.mark.parametrize("amount, currency", [(999, "CNY"), (1001, "CNY"), (1000, "USD")])
def test_a_result_for_another_amount_or_currency_is_refused(amount, currency):
    order = order_record("ord_a", status=S.PAYING)
    refusal = results.payment_refusal(MERCHANT_ID, "ord_a", payment(amount=amount, currency=currency), order)
    assert (refusal.code, refusal.order_id) == (ErrorCode.AMOUNT_MISMATCH, "ord_a")
    assert f"is for {amount} {currency}, the order is for 1000 CNY" in refusal.message


# -- apply_payment ---------------------------------------------------------------------------------------
def test_a_success_makes_the_paying_order_paid_once(store):
    stored(store, order_record("ord_a", status=S.PAYING))
    assert apply(store, payment()) == results.Applied(changed=True)
    order = store.order("ord_a")
    assert (order.status, order.payment_id, order.payer_display, order.paid_at, order.failure_code) == (
        S.PAID,
        "pay_0001",
        "411111******1111",
        T0 + 5,
        None,
    )
    assert apply(store, payment(), now=T0 + 50) == results.Applied()  # the notification, later
    assert store.order("ord_a").paid_at == T0 + 5 and store.alerts() == []


def test_a_failure_makes_the_paying_order_failed_with_its_code(store):
    stored(store, order_record("ord_a", status=S.PAYING))
    assert apply(store, payment(status="FAILED", failure_code="INSUFFICIENT_FUNDS")).changed
    order = store.order("ord_a")
    assert (order.status, order.failure_code, order.paid_at, order.payment_id) == (
        S.FAILED,
        "INSUFFICIENT_FUNDS",
        None,
        "pay_0001",
    )


@pytest.mark.parametrize(
    "result, code",
    [
        (payment(merchant_id="M999999"), ErrorCode.MERCHANT_MISMATCH),
        (payment(amount=1), ErrorCode.AMOUNT_MISMATCH),
        (payment("ord_zzz-1"), ErrorCode.ORDER_NOT_FOUND),
    ],
)
def test_a_refused_result_changes_nothing(store, result, code):
    before = stored(store, order_record("ord_a", status=S.PAYING))
    applied = apply(store, result)
    assert (applied.changed, applied.refusal.code) == (False, code)
    assert store.order("ord_a") == before and store.alerts() == []  # the caller records the alert


def test_an_answer_about_another_paying_order_is_not_applied_to_it(store):
    """We asked about ord_a; the answer names ord_b's attempt (same amount): ord_b must stay PAYING."""
    stored(store, order_record("ord_a", status=S.PAYING))
    other = stored(store, order_record("ord_b", status=S.PAYING))
    applied = apply(store, payment("ord_b-1"), asked_about="ord_a")
    assert applied.refusal.code is ErrorCode.ORDER_NOT_FOUND
    assert store.order("ord_b") == other


def test_a_notification_may_concern_any_of_our_orders(store):
    stored(store, order_record("ord_b", status=S.PAYING))
    assert apply(store, payment("ord_b-1"), asked_about=None).changed
    assert store.order("ord_b").status is S.PAID


def test_an_earlier_attempt_is_found_by_its_prefix(store):
    order = stored(store, order_record("ord_a", status=S.PAYING, attempts=2, out_trade_no="ord_a-2"))
    assert store.run(lambda unit: results.order_for_trade(unit, "ord_a-1")) == order
    assert store.run(lambda unit: results.order_for_trade(unit, "ord_a-2")) == order
    assert store.run(lambda unit: results.order_for_trade(unit, "ord_zzz-1")) is None
    assert store.run(lambda unit: results.order_for_trade(unit, "ord_a")) is None  # no attempt suffix


def test_a_success_of_a_superseded_attempt_changes_nothing_but_raises_an_alert(store):
    """Attempt 1 succeeded after all, but attempt 2 is under way: the payer was charged for nothing."""
    before = stored(store, order_record("ord_a", status=S.PAYING, attempts=2, out_trade_no="ord_a-2"))
    assert apply(store, payment("ord_a-1", payment_id="pay_first"), now=T0 + 7) == results.Applied()
    assert store.order("ord_a") == before
    [alert] = store.alerts()
    assert (alert["order_id"], alert["created_at"]) == ("ord_a", T0 + 7)
    assert alert["message"] == (
        "payment pay_first (ord_a-1) succeeded but the order is PAYING: the payer was charged; "
        "refund it or reopen the order"
    )


def test_a_late_failure_of_a_superseded_attempt_is_silently_ignored(store):
    stored(store, order_record("ord_a", status=S.PAYING, attempts=2, out_trade_no="ord_a-2"))
    assert (
        apply(store, payment("ord_a-1", status="FAILED", failure_code="CARD_DECLINED")) == results.Applied()
    )
    assert store.alerts() == []


def test_a_success_for_a_closed_order_raises_an_alert(store):
    stored(store, order_record("ord_a", status=S.CLOSED))
    assert apply(store, payment(), asked_about=None) == results.Applied()
    assert store.order("ord_a").status is S.CLOSED and len(store.alerts()) == 1


def test_apply_payment_result_records_the_refusal_as_an_alert_and_raises(store):
    stored(store, order_record("ord_a", status=S.PAYING))
    with pytest.raises(PaymentError) as refusal:
        results.apply_payment_result(store, MERCHANT_ID, "ord_a", payment(amount=5), T0 + 9)
    assert refusal.value.code is ErrorCode.AMOUNT_MISMATCH
    [alert] = store.alerts()
    assert (alert["order_id"], alert["message"], alert["created_at"]) == (
        "ord_a",
        refusal.value.message,
        T0 + 9,
    )
    assert store.order("ord_a").status is S.PAYING
    assert results.apply_payment_result(store, MERCHANT_ID, "ord_a", payment(), T0 + 10) is True
    assert results.apply_payment_result(store, MERCHANT_ID, "ord_a", payment(), T0 + 11) is False


# -- move ----------------------------------------------------------------------------------------------
def test_an_illegal_move_is_refused_with_the_state_machines_words(store):
    order = stored(store, order_record("ord_a", status=S.PAID))
    with pytest.raises(PaymentError) as refusal:
        store.run(lambda unit: results.move(unit, order, S.CREATED))
    assert (
        refusal.value.code is ErrorCode.ORDER_NOT_PAYABLE and "from PAID to CREATED" in refusal.value.message
    )


def test_a_move_on_an_order_that_changed_meanwhile_is_refused(store):
    order = stored(store, order_record("ord_a"))
    store.run(lambda unit: results.move(unit, order, S.CLOSED))
    with pytest.raises(PaymentError, match="changed meanwhile"):
        store.run(lambda unit: results.move(unit, order, S.PAYING))


# -- apply_refund ----------------------------------------------------------------------------------------
def refund_applied(store, result, asked_about=None):
    return store.run(lambda unit: results.apply_refund(unit, MERCHANT_ID, result, asked_about))


def test_refunds_move_the_order_forward_to_partially_refunded_then_refunded(store):
    stored(store, order_record("ord_a", status=S.PAID))
    assert refund_applied(store, refund("ord_a-1", 300, 300)).changed
    assert (store.order("ord_a").status, store.order("ord_a").refunded) == (S.PARTIALLY_REFUNDED, 300)
    assert refund_applied(store, refund("ord_a-1", 699, 999)).changed
    assert (store.order("ord_a").status, store.order("ord_a").refunded) == (S.PARTIALLY_REFUNDED, 999)
    assert refund_applied(store, refund("ord_a-1", 1, 1000)).changed
    assert (store.order("ord_a").status, store.order("ord_a").refunded) == (S.REFUNDED, 1000)


def test_a_whole_refund_at_once_makes_the_order_refunded(store):
    stored(store, order_record("ord_a", status=S.PAID))
    refund_applied(store, refund("ord_a-1", 1000, 1000))
    assert store.order("ord_a").status is S.REFUNDED


@pytest.mark.parametrize("late_total", [300, 600])
def test_a_late_or_repeated_refund_result_never_moves_the_total_back(store, late_total):
    """Two partial refunds of 300 are known (600); the first's result (300), or the second's again, comes."""
    before = stored(store, order_record("ord_a", status=S.PARTIALLY_REFUNDED, refunded=600))
    assert refund_applied(store, refund("ord_a-1", 300, late_total)) == results.Applied()
    assert store.order("ord_a") == before


def test_a_late_refund_result_for_a_refunded_order_changes_nothing(store):
    before = stored(store, order_record("ord_a", status=S.REFUNDED, refunded=1000))
    assert refund_applied(store, refund("ord_a-1", 300, 300)) == results.Applied()
    assert store.order("ord_a") == before


def test_a_refund_result_for_an_unknown_trade_is_refused(store):
    refusal = refund_applied(store, refund("ord_zzz-1", 1, 1)).refusal
    assert (refusal.code, refusal.order_id) == (ErrorCode.ORDER_NOT_FOUND, None)
    assert "names unknown out_trade_no" in refusal.message


@pytest.mark.parametrize(
    "result, words",
    [
        (refund("ord_a-1", 1001, 1001), "brings the refunded total to 1001; the order is for 1000 CNY"),
        (refund("ord_a-1", 100, 100, currency="USD"), "of 100 USD brings the refunded total to 100"),
    ],
)
def test_a_refund_result_beyond_the_orders_amount_or_in_another_currency_is_refused(store, result, words):
    """A signed result that disagrees with our books changes nothing; the caller records an alert."""
    before = stored(store, order_record("ord_a", status=S.PAID))
    applied = refund_applied(store, result)
    assert (applied.changed, applied.refusal.code, applied.refusal.order_id) == (
        False,
        ErrorCode.AMOUNT_MISMATCH,
        "ord_a",
    )
    assert words in applied.refusal.message and store.order("ord_a") == before


def test_a_refund_result_for_another_merchant_is_refused(store):
    before = stored(store, order_record("ord_a", status=S.PAID))
    document = refund_resource("ord_a-1", 300, 300) | {"merchant_id": "M999999"}
    applied = refund_applied(store, schemas.RefundResource.model_validate(document))
    assert (applied.changed, applied.refusal.code, applied.refusal.order_id) == (
        False,
        ErrorCode.MERCHANT_MISMATCH,
        "ord_a",
    )
    assert "another merchant" in applied.refusal.message and store.order("ord_a") == before


def test_a_refund_answer_about_another_order_than_the_one_we_asked_about_is_refused(store):
    stored(store, order_record("ord_a", status=S.PAID))
    other = stored(store, order_record("ord_b", status=S.PAID))
    applied = refund_applied(store, refund("ord_b-1", 300, 300), asked_about="ord_a")
    assert (applied.refusal.code, applied.refusal.order_id) == (ErrorCode.ORDER_NOT_FOUND, "ord_b")
    assert store.order("ord_b") == other
    assert refund_applied(store, refund("ord_a-1", 300, 300), asked_about="ord_a").changed


def test_the_prefix_is_everything_before_the_last_dash(store):
    """An order id may itself hold dashes; the attempt number is what follows the last one."""
    order = stored(
        store, order_record("shop-7-ord", status=S.PAYING, attempts=3, out_trade_no="shop-7-ord-3")
    )
    assert store.run(lambda unit: results.order_for_trade(unit, "shop-7-ord-1")) == order
