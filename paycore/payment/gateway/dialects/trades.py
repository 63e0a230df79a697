"""Trades: what both dialects share under their wire formats -- create first, the payer pays later.

WeChat Pay's and Alipay's order calls create a *trade* waiting for the payer (``NOTPAY``,
``WAIT_BUYER_PAY``); the payer then pays at the platform's cashier, and only that moves money
(:mod:`.settlement`, with refunds). Here is the trade's life without money, each step one unit of
work on the gateway's store:

* :func:`open_trade` -- idempotent by the merchant's order number: the same number with the same
  terms is the same trade (its cashier URL is given again); with other terms it is refused;
* :func:`mark_scanned` -- the payer opened the cashier; :func:`close_trade` -- no payment any more.

Refusals are :class:`TradeRefusal` with a neutral reason; each dialect says them in its own words.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from paycore.payment.gateway.dialects.keys import BEIJING
from paycore.payment.gateway.store import GatewayUnitOfWork, PaymentRecord, RefundRecord, TradeRecord
from paycore.payment.money import Money

if TYPE_CHECKING:
    from paycore.payment.gateway.service import Gateway

WAITING, PAID, CLOSED = "WAITING", "PAID", "CLOSED"


class TradeRefusal(Exception):
    """A trade operation refused, for a ``reason`` each dialect maps to its own error code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Queued:
    """A notification a dialect wants sent: its format, URL, body and event id."""

    format: str
    url: str
    body: bytes
    event_id: str


@dataclass(frozen=True)
class OrderTerms:
    """What defines an order: a repeat with the same terms is the same order."""

    out_trade_no: str
    trade_type: str
    money: Money
    description: str
    notify_url: str
    attach: str = ""

    def fingerprint(self) -> str:
        """SHA-256 of the terms, in one fixed spelling."""
        terms = [self.out_trade_no, self.trade_type, self.money.minor_units, self.money.currency]
        terms += [self.description, self.notify_url, self.attach]
        return hashlib.sha256(json.dumps(terms, ensure_ascii=True).encode("ascii")).hexdigest()


PaidNotice = Callable[[TradeRecord, PaymentRecord, "RefundRecord | None", float], "Queued | None"]
"""What a dialect queues when a trade is paid or refunded: ``(trade, payment, refund, now) -> Queued``."""


def digits_id(prefix: str, now: float, length: int = 28) -> str:
    """A platform-style number: ``prefix``, the Beijing date, then random digits up to ``length``.

    >>> len(digits_id("4200", 1_764_201_600)), digits_id("4200", 1_764_201_600)[:12]
    (28, '420020251127')
    """
    date = datetime.fromtimestamp(now, tz=BEIJING).strftime("%Y%m%d")
    head = prefix + date
    return head + "".join(secrets.choice("0123456789") for _ in range(length - len(head)))


def new_trade(
    merchant_id: str,
    dialect: str,
    terms: OrderTerms,
    trade_id: str,
    now: int,
    *,
    token: str | None = None,
    scanned: bool = False,
) -> TradeRecord:
    """A trade waiting for its payer; ``token`` names its cashier (an unguessable random one by default).

    ``scanned`` says the payer is already known (Alipay's ``create`` and barcode payments), so the
    trade is visible to queries at once.
    """
    return TradeRecord(
        trade_id=trade_id,
        dialect=dialect,
        merchant_id=merchant_id,
        out_trade_no=terms.out_trade_no,
        trade_type=terms.trade_type,
        currency=terms.money.currency,
        amount=terms.money.minor_units,
        description=terms.description,
        notify_url=terms.notify_url,
        attach=terms.attach,
        cashier_token=token or secrets.token_urlsafe(24),
        status=WAITING,
        payment_id=None,
        fingerprint=terms.fingerprint(),
        created_at=now,
        scanned_at=now if scanned else None,
        paid_at=None,
        closed_at=None,
    )


def open_trade(
    gateway: Gateway,
    merchant_id: str,
    dialect: str,
    terms: OrderTerms,
    trade_id: str,
    *,
    token: str | None = None,
    scanned: bool = False,
) -> TradeRecord:
    """The merchant's trade under ``terms.out_trade_no``: made now (:func:`new_trade`), or the same again."""
    now = int(gateway.clock.now())

    def work(unit: GatewayUnitOfWork) -> TradeRecord:
        existing = unit.find_trade(merchant_id, out_trade_no=terms.out_trade_no)
        if existing is not None:
            return same_trade(existing, terms)
        record = new_trade(merchant_id, dialect, terms, trade_id, now, token=token, scanned=scanned)
        unit.insert_trade(record)
        return record

    return gateway.store.run(work)


def same_trade(existing: TradeRecord, terms: OrderTerms) -> TradeRecord:
    """``existing`` if it is the order ``terms`` describe and still waiting; else why not."""
    if existing.fingerprint != terms.fingerprint():
        raise TradeRefusal("OUT_TRADE_NO_USED", "this out_trade_no was used for an order with other terms")
    if existing.status == PAID:
        raise TradeRefusal("TRADE_PAID", "this order is already paid")
    if existing.status == CLOSED:
        raise TradeRefusal("TRADE_CLOSED", "this order is closed")
    return existing


def mark_scanned(gateway: Gateway, token: str) -> TradeRecord | None:
    """The payer opened the cashier (scanned the code): note when, the first time."""
    now = int(gateway.clock.now())

    def work(unit: GatewayUnitOfWork) -> TradeRecord | None:
        trade = unit.trade_by_token(token)
        if trade is not None and trade.scanned_at is None:
            unit.update_trade(trade.trade_id, scanned_at=now)
            trade = replace(trade, scanned_at=now)
        return trade

    return gateway.store.run(work, durable=False)


def close_trade(gateway: Gateway, merchant_id: str, *, out_trade_no: str | None, trade_id: str | None = None):
    """Close a waiting trade so it can no longer be paid; closing a closed one changes nothing."""
    now = int(gateway.clock.now())

    def work(unit: GatewayUnitOfWork) -> TradeRecord:
        trade = unit.find_trade(merchant_id, out_trade_no=out_trade_no, trade_id=trade_id)
        if trade is None:
            raise TradeRefusal("TRADE_NOT_FOUND", "no such trade")
        if trade.status == PAID:
            raise TradeRefusal("TRADE_PAID", "a paid order cannot be closed; refund it instead")
        if trade.status == WAITING:
            unit.update_trade(trade.trade_id, status=CLOSED, closed_at=now)
            trade = replace(trade, status=CLOSED, closed_at=now)
        return trade

    return gateway.store.run(work)
