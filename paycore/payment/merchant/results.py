"""Step 3.6: a signed result from the gateway, re-checked and applied to its order exactly once.

A result arrives three ways -- as the answer to the payment request, as a notification, or as
the answer to a reconciliation query -- and every way goes through here. A valid signature says
the gateway sent it; it does not say the result belongs to *this* order. So before anything
changes, the result must name this merchant, an order we know (the one we asked about, when we
asked), and that order's exact amount and currency. A result that fails is refused and recorded
as an alert for a person; a result already applied changes nothing; and a refund's total only
ever moves forward, within the order's amount.
"""

from __future__ import annotations

from dataclasses import dataclass

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant.store import MerchantStore, MerchantUnitOfWork, Order
from paycore.payment.orders import OrderStatus, check_transition
from paycore.payment.protocol import schemas


@dataclass(frozen=True)
class Applied:
    """What applying a result did: whether the order changed, or why the result was refused."""

    changed: bool = False
    refusal: PaymentError | None = None


def move(unit: MerchantUnitOfWork, order: Order, new: OrderStatus, **columns: object) -> None:
    """A state-machine move (refused if illegal, or if the order changed since it was read)."""
    try:
        check_transition(order.status, new)
    except ValueError as exc:
        raise PaymentError(ErrorCode.ORDER_NOT_PAYABLE, str(exc)) from None
    if not unit.move(order, new, **columns):
        raise PaymentError(ErrorCode.ORDER_NOT_PAYABLE, "the order changed meanwhile; read it again")


def order_for_trade(unit: MerchantUnitOfWork, out_trade_no: str) -> Order | None:
    """The order of an ``out_trade_no``: its current attempt, or (by the prefix) an earlier one."""
    order = unit.order_with_trade(out_trade_no)
    if order is None and "-" in out_trade_no:
        order = unit.order(out_trade_no.rsplit("-", 1)[0])
    return order


def payment_refusal(
    merchant_id: str, asked_about: str | None, payment: schemas.PaymentResource, order: Order | None
) -> PaymentError | None:
    """Why a (validly signed) payment result must not be applied to our order, if it must not."""
    if order is None or (asked_about is not None and order.order_id != asked_about):
        return PaymentError(
            ErrorCode.ORDER_NOT_FOUND,
            f"payment {payment.payment_id} names unknown out_trade_no {payment.out_trade_no}",
            order_id=order.order_id if order else None,
        )
    if payment.merchant_id != merchant_id:
        return PaymentError(
            ErrorCode.MERCHANT_MISMATCH,
            f"payment {payment.payment_id} is for another merchant",
            order_id=order.order_id,
        )
    if (payment.amount.value, payment.amount.currency) != (order.amount, order.currency):
        return PaymentError(
            ErrorCode.AMOUNT_MISMATCH,
            f"payment {payment.payment_id} is for {payment.amount.value} {payment.amount.currency}, "
            f"the order is for {order.amount} {order.currency}",
            order_id=order.order_id,
        )
    return None


def apply_payment(
    unit: MerchantUnitOfWork,
    merchant_id: str,
    asked_about: str | None,
    payment: schemas.PaymentResource,
    now: float,
) -> Applied:
    """Move the order to PAID or FAILED once, inside ``unit``; re-checks merchant, order and amount.

    ``asked_about`` is the order id we sent the request or the query for (``None`` for a
    notification, which may concern any order). A success that arrives for an order no longer
    waiting for it (failed or closed meanwhile, or an earlier attempt) changes nothing but records
    an alert: the payer was charged and a person must refund or reopen the order.
    """
    order = order_for_trade(unit, payment.out_trade_no)
    refusal = payment_refusal(merchant_id, asked_about, payment, order)
    if refusal is not None:
        return Applied(refusal=refusal)
    if order.out_trade_no == payment.out_trade_no and order.status is OrderStatus.PAYING:
        succeeded = payment.status == "SUCCEEDED"
        move(
            unit,
            order,
            OrderStatus.PAID if succeeded else OrderStatus.FAILED,
            payment_id=payment.payment_id,
            payer_display=payment.payer.display,
            paid_at=int(now) if succeeded else None,
            failure_code=payment.failure_code,
        )
        return Applied(changed=True)
    if payment.status == "SUCCEEDED" and order.payment_id != payment.payment_id:
        unit.record_alert(
            order.order_id,
            f"payment {payment.payment_id} ({payment.out_trade_no}) succeeded but the order is "
            f"{order.status.value}: the payer was charged; refund it or reopen the order",
            now,
        )
    return Applied()  # already applied (by the answer, a notification or a query)


def refund_refusal(
    merchant_id: str, asked_about: str | None, refund: schemas.RefundResource, order: Order | None
) -> PaymentError | None:
    """Why a (validly signed) refund result must not be applied to our order, if it must not."""
    if order is None:
        return PaymentError(
            ErrorCode.ORDER_NOT_FOUND, f"refund {refund.refund_id} names unknown out_trade_no"
        )
    if refund.merchant_id != merchant_id:
        return PaymentError(
            ErrorCode.MERCHANT_MISMATCH,
            f"refund {refund.refund_id} is for another merchant",
            order_id=order.order_id,
        )
    if asked_about is not None and order.order_id != asked_about:
        return PaymentError(
            ErrorCode.ORDER_NOT_FOUND,
            f"refund {refund.refund_id} names another order's out_trade_no {refund.out_trade_no}",
            order_id=order.order_id,
        )
    amount, total = refund.amount.value, refund.payment_refunded_total
    if refund.amount.currency != order.currency or not 0 < amount <= total <= order.amount:
        return PaymentError(
            ErrorCode.AMOUNT_MISMATCH,
            f"refund {refund.refund_id} of {amount} {refund.amount.currency} brings the refunded total "
            f"to {total}; the order is for {order.amount} {order.currency}",
            order_id=order.order_id,
        )
    return None


def apply_refund(
    unit: MerchantUnitOfWork,
    merchant_id: str,
    refund: schemas.RefundResource,
    asked_about: str | None = None,
) -> Applied:
    """Record a refund's new total on its order once; a total no larger than the known one changes nothing.

    As for payments, the result must name this merchant, concern the order we asked about
    (``None`` for a notification) and stay within its amount and currency, or it is refused
    for an alert.
    """
    order = unit.order_with_trade(refund.out_trade_no)
    refusal = refund_refusal(merchant_id, asked_about, refund, order)
    if refusal is not None:
        return Applied(refusal=refusal)
    total = refund.payment_refunded_total
    if total <= order.refunded:  # a late or repeated result: refunds only move forward
        return Applied()
    new = OrderStatus.REFUNDED if total == order.amount else OrderStatus.PARTIALLY_REFUNDED
    move(unit, order, new, refunded=total)
    return Applied(changed=True)


def apply_payment_result(
    store: MerchantStore,
    merchant_id: str,
    asked_about: str | None,
    payment: schemas.PaymentResource,
    now: float,
) -> bool:
    """Apply a payment result in a unit of work of its own; a refusal raises, with an alert."""
    applied = store.run(
        lambda unit: apply_payment(unit, merchant_id, asked_about, payment, now), durable=False
    )
    if applied.refusal is not None:
        raise_with_alert(store, applied.refusal, now)
    return applied.changed


def apply_refund_result(
    store: MerchantStore,
    merchant_id: str,
    asked_about: str | None,
    refund: schemas.RefundResource,
    now: float,
) -> bool:
    """Apply a refund result in a unit of work of its own; a refusal raises, with an alert."""
    applied = store.run(lambda unit: apply_refund(unit, merchant_id, refund, asked_about), durable=False)
    if applied.refusal is not None:
        raise_with_alert(store, applied.refusal, now)
    return applied.changed


def raise_with_alert(store: MerchantStore, refusal: PaymentError, now: float) -> None:
    """Record the refusal as an alert (a durable commit of its own: it must outlive it), then raise it."""
    store.run(lambda unit: unit.record_alert(refusal.order_id, refusal.message, now))
    raise refusal
