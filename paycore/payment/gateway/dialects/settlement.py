"""Where money moves for the dialects' trades: a payer pays a trade, a merchant refunds one.

Each is one unit of work on the gateway's store: the ledger transfer, the payment (or refund)
record, the trade's new state and the dialect's notification queued in the outbox -- committed
together, or not at all. A declined payer writes nothing and the trade stays payable. The rules
of a trade's life without money (creating, closing) are in :mod:`.trades`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from paycore.payment.gateway import ledger
from paycore.payment.gateway.dialects.trades import CLOSED, PAID, PaidNotice, Queued, TradeRefusal
from paycore.payment.gateway.payments import move_money
from paycore.payment.gateway.store import GatewayUnitOfWork, PaymentRecord, RefundRecord, TradeRecord, new_id
from paycore.payment.methods import PaymentMethod
from paycore.payment.money import Money

if TYPE_CHECKING:
    from paycore.payment.gateway.service import Gateway


@dataclass(frozen=True)
class Charged:
    """The outcome of a payer's attempt: the trade as it now is, and its payment or why it was declined."""

    trade: TradeRecord
    payment: PaymentRecord | None
    failure: str | None


def _payable(trade: TradeRecord | None) -> TradeRecord:
    if trade is None:
        raise TradeRefusal("TRADE_NOT_FOUND", "no such trade")
    if trade.status == PAID:
        raise TradeRefusal("TRADE_PAID", "this order is already paid")
    if trade.status == CLOSED:
        raise TradeRefusal("TRADE_CLOSED", "this order is closed")
    return trade


def charge(
    gateway: Gateway,
    unit: GatewayUnitOfWork,
    trade: TradeRecord,
    method: PaymentMethod,
    now: float,
    notice: PaidNotice,
) -> Charged:
    """Inside ``unit``: debit the payer for a waiting trade, record it, mark it paid, queue the notice."""
    issuer = gateway.issuer
    payer = issuer.identify(method)
    known = unit.payer_method(payer.method_id)
    failure = issuer.refusal_before_lookup(method) or (
        issuer.refusal_of(method, known) if known else issuer.unknown_payer_code(payer)
    )
    money = Money(trade.amount, trade.currency)
    payment_id = new_id("pay")
    if failure is None:
        failure = move_money(unit, trade.merchant_id, known.account_id, money, payment_id, now)
    if failure is not None:
        return Charged(trade, None, failure)
    payment = PaymentRecord(
        payment_id=payment_id,
        merchant_id=trade.merchant_id,
        out_trade_no=trade.out_trade_no,
        status="SUCCEEDED",
        currency=trade.currency,
        amount=trade.amount,
        refunded=0,
        payer_type=payer.kind,
        payer_display=payer.display,
        payer_account=known.account_id,
        failure_code=None,
        notify_url=trade.notify_url,
        created_at=int(now),
    )
    unit.insert_payment(payment)
    unit.update_trade(trade.trade_id, status=PAID, payment_id=payment_id, paid_at=int(now))
    paid = replace(trade, status=PAID, payment_id=payment_id, paid_at=int(now))
    _enqueue(unit, trade.merchant_id, notice(paid, payment, None, now), now)
    return Charged(paid, payment, None)


def _enqueue(unit: GatewayUnitOfWork, merchant_id: str, queued: Queued | None, now: float) -> None:
    if queued is not None:
        unit.enqueue(
            event_id=queued.event_id,
            merchant_id=merchant_id,
            url=queued.url,
            body=queued.body,
            now=now,
            format=queued.format,
        )


def pay_trade(gateway: Gateway, token: str, method: PaymentMethod, notice: PaidNotice) -> Charged:
    """The payer pays the trade behind a cashier token, in one unit of work (or is declined)."""
    now = gateway.clock.now()

    def work(unit: GatewayUnitOfWork) -> Charged:
        return charge(gateway, unit, _payable(unit.trade_by_token(token)), method, now, notice)

    return gateway.store.run(work)


def refund_trade(
    gateway: Gateway, trade: TradeRecord, out_refund_no: str, money: Money, notice: PaidNotice
) -> tuple[RefundRecord, PaymentRecord]:
    """Return ``money`` of a paid trade to its payer; the same refund number again is the same refund."""
    now = int(gateway.clock.now())

    def work(unit: GatewayUnitOfWork) -> tuple[RefundRecord, PaymentRecord]:
        current = unit.find_trade(trade.merchant_id, trade_id=trade.trade_id)
        if current is None or current.status != PAID or current.payment_id is None:
            raise TradeRefusal("NOT_PAID", "only a paid order can be refunded")
        payment = unit.find_payment(current.merchant_id, current.out_trade_no)
        existing = unit.find_refund(current.merchant_id, out_refund_no)
        if existing is not None:
            if existing.payment_id != payment.payment_id or existing.amount != money.minor_units:
                raise TradeRefusal("REFUND_NUMBER_USED", "this refund number was used for another refund")
            return existing, payment
        if money.currency != payment.currency:
            raise TradeRefusal("REFUND_MISMATCH", "the refund's currency is not the payment's")
        remaining = payment.amount - payment.refunded
        if money.minor_units > remaining:
            raise TradeRefusal("REFUND_EXCEEDS", f"the refund exceeds the {remaining} not yet refunded")
        refund = RefundRecord(
            new_id("ref"), current.merchant_id, out_refund_no, payment.payment_id, money.minor_units, now
        )
        try:
            ledger.transfer(
                unit,
                transfer_id=refund.refund_id,
                kind="refund",
                reference=payment.payment_id,
                source=ledger.merchant_account(current.merchant_id, money.currency),
                destination=payment.payer_account,
                money=money,
                now=now,
            )
        except ledger.InsufficientFunds:
            raise TradeRefusal("BALANCE_LOW", "the merchant's balance cannot cover this refund") from None
        unit.add_refunded(payment.payment_id, money.minor_units)
        unit.insert_refund(
            refund_id=refund.refund_id,
            merchant_id=refund.merchant_id,
            out_refund_no=out_refund_no,
            payment_id=payment.payment_id,
            amount=refund.amount,
            now=now,
        )
        after = replace(payment, refunded=payment.refunded + money.minor_units)
        _enqueue(unit, current.merchant_id, notice(current, after, refund, now), now)
        return refund, after

    return gateway.store.run(work)
