"""What each Alipay method does, on the shared trades: create, pay by code, query, close, refund.

* ``alipay.trade.precreate`` -- a trade and its ``qr_code`` (the cashier URL). As on the real
  platform, it is unknown to ``alipay.trade.query`` (``ACQ.TRADE_NOT_EXIST``) until the buyer scans
  the code -- here: opens the cashier page -- and ``WAIT_BUYER_PAY`` from then on.
* ``alipay.trade.create`` -- a trade whose buyer is known: ``WAIT_BUYER_PAY`` at once, and its
  ``trade_no``; the buyer pays at the cashier.
* ``alipay.trade.page.pay`` -- opened in the buyer's browser: the trade, then a redirect to the cashier.
* ``alipay.trade.pay`` -- barcode payment: the merchant scans the buyer's one-time payment code and
  the trade is created and paid in one unit of work, or not at all.
* ``alipay.trade.query``, ``alipay.trade.close``, and ``alipay.trade.refund`` (idempotent by
  ``out_request_no``, which defaults to the trade's number).

Trade statuses: ``WAIT_BUYER_PAY``, ``TRADE_SUCCESS`` (paid, refunded in part or not at all) and
``TRADE_CLOSED`` (closed unpaid, or refunded in full). The asynchronous notification (a form POST,
see :mod:`.notify`) follows a payment and a refund when the trade has a ``notify_url``.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import TYPE_CHECKING

from paycore.payment.gateway.dialects import alipay_wire as wire
from paycore.payment.gateway.dialects import settlement, trades
from paycore.payment.gateway.dialects.alipay import Call, business, refusal
from paycore.payment.gateway.dialects.cashier import code_hash
from paycore.payment.gateway.dialects.merchants import ALIPAY
from paycore.payment.gateway.store import PaymentRecord, RefundRecord, TradeRecord
from paycore.payment.methods import Wallet
from paycore.payment.money import Money
from paycore.payment.protocol.wire import Headers, Reply, encode_json

if TYPE_CHECKING:
    from paycore.payment.gateway.dialects.alipay import AlipayDialect

_OUT_TRADE_NO = re.compile(r"[A-Za-z0-9_]{1,64}")


def user_id(seed: str) -> str:
    """An Alipay-style user id (``2088`` and 12 digits), stable for one payer or seller."""
    return "2088" + str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:12]


def trade_status(trade: TradeRecord, payment: PaymentRecord | None) -> str:
    """``WAIT_BUYER_PAY``, ``TRADE_SUCCESS`` or ``TRADE_CLOSED``."""
    if trade.status == trades.PAID and payment is not None and payment.refunded < payment.amount:
        return "TRADE_SUCCESS"
    return "WAIT_BUYER_PAY" if trade.status == trades.WAITING else "TRADE_CLOSED"


class Methods:
    """The methods of ``/gateway.do``, each a function of an authenticated :class:`~.alipay.Call`."""

    def __init__(self, dialect: AlipayDialect) -> None:
        self.dialect = dialect
        self.gateway = dialect.gateway
        self.table = {
            "alipay.trade.precreate": self.precreate,
            "alipay.trade.create": self.create,
            "alipay.trade.page.pay": self.page_pay,
            "alipay.trade.pay": self.pay,
            "alipay.trade.query": self.query,
            "alipay.trade.close": self.close,
            "alipay.trade.refund": self.refund,
        }

    def knows(self, method: str) -> bool:
        return method in self.table

    def run(self, method: str, call: Call) -> dict | Reply:
        return self.table[method](call)

    # -- creating and paying ------------------------------------------------------------------------
    def _terms(self, call: Call, trade_type: str) -> trades.OrderTerms:
        out_trade_no = call.text("out_trade_no", limit=64)
        if not _OUT_TRADE_NO.fullmatch(out_trade_no):
            raise business("ACQ.INVALID_PARAMETER", "out_trade_no is 1-64 letters, digits or _")
        notify_url = call.params.get("notify_url", "")
        if notify_url:
            self.gateway.merchants.check_notify_url(call.merchant.merchant_id, notify_url)
        money = Money(call.amount("total_amount"), "CNY")
        subject = call.text("subject", limit=256)
        return trades.OrderTerms(
            out_trade_no, trade_type, money, subject, notify_url, call.text("body", required=False) or ""
        )

    def _trade_no(self) -> str:
        digits = trades.digits_id("", self.gateway.clock.now(), 23)
        return digits[:8] + "22001" + digits[8:]

    def _open(self, call: Call, trade_type: str, *, scanned: bool = False) -> TradeRecord:
        terms = self._terms(call, trade_type)
        merchant_id = call.merchant.merchant_id
        return trades.open_trade(self.gateway, merchant_id, ALIPAY, terms, self._trade_no(), scanned=scanned)

    def precreate(self, call: Call) -> dict:
        trade = self._open(call, "PRECREATE")
        return {"out_trade_no": trade.out_trade_no, "qr_code": self.dialect.cashier_url(trade.cashier_token)}

    def create(self, call: Call) -> dict:
        trade = self._open(call, "CREATE", scanned=True)
        return {"out_trade_no": trade.out_trade_no, "trade_no": trade.trade_id}

    def page_pay(self, call: Call) -> Reply:
        trade = self._open(call, "PAGE")
        location = self.dialect.cashier_url(trade.cashier_token)
        return Reply(303, Headers({"Location": location, "Content-Type": "text/plain"}), b"")

    def pay(self, call: Call) -> dict:
        if call.text("scene", limit=32) not in ("bar_code", "wave_code"):
            raise business("ACQ.INVALID_PARAMETER", "scene is bar_code or wave_code")
        code = call.text("auth_code", limit=32)
        terms = self._terms(call, "BARCODE")
        merchant_id = call.merchant.merchant_id
        now = self.gateway.clock.now()
        trade_no = self._trade_no()

        def work(unit) -> settlement.Charged:
            existing = unit.find_trade(merchant_id, out_trade_no=terms.out_trade_no)
            if existing is not None:
                trades.same_trade(existing, terms)
                raise trades.TradeRefusal("OUT_TRADE_NO_USED", "this out_trade_no already has a trade")
            wallet = unit.take_payment_code(code_hash(code), now)
            if wallet is None:
                raise trades.TradeRefusal(
                    "PAYMENT_CODE_INVALID", "the payment code is invalid, expired or used"
                )
            trade = trades.new_trade(merchant_id, ALIPAY, terms, trade_no, int(now), scanned=True)
            unit.insert_trade(trade)
            charged = settlement.charge(self.gateway, unit, trade, Wallet(wallet), now, self.notice)
            if charged.failure is not None:  # nothing is kept: the code stays usable, the number free
                reason = (
                    "INSUFFICIENT_FUNDS"
                    if charged.failure == "INSUFFICIENT_FUNDS"
                    else "PAYMENT_CODE_INVALID"
                )
                raise trades.TradeRefusal(reason, f"the payment was declined: {charged.failure}")
            return charged

        charged = self.gateway.store.run(work)
        return self._document(charged.trade, charged.payment)

    # -- reading and changing a trade -----------------------------------------------------------------
    def _find(self, call: Call) -> TradeRecord:
        trade_no, out_trade_no = call.biz.get("trade_no"), call.biz.get("out_trade_no")
        if not isinstance(trade_no, str) and not isinstance(out_trade_no, str):
            raise business("ACQ.INVALID_PARAMETER", "name the trade by trade_no or out_trade_no")
        by = {"trade_id": trade_no} if isinstance(trade_no, str) else {"out_trade_no": out_trade_no}
        trade = self.gateway.store.find_trade(call.merchant.merchant_id, **by)
        if trade is None:
            raise refusal("TRADE_NOT_FOUND")
        return trade

    def _payment(self, trade: TradeRecord) -> PaymentRecord | None:
        return (
            self.gateway.store.find_payment(trade.merchant_id, trade.out_trade_no)
            if trade.payment_id
            else None
        )

    def _document(self, trade: TradeRecord, payment: PaymentRecord | None) -> dict:
        document = {
            "trade_no": trade.trade_id,
            "out_trade_no": trade.out_trade_no,
            "trade_status": trade_status(trade, payment),
            "total_amount": wire.format_amount(trade.amount),
        }
        if payment is not None:
            paid = wire.format_amount(payment.amount)
            document.update(
                buyer_logon_id=payment.payer_display,
                buyer_user_id=user_id(payment.payer_account or ""),
                send_pay_date=wire.format_time(trade.paid_at or payment.created_at, self.dialect.timezone),
                receipt_amount=paid,
                buyer_pay_amount=paid,
                invoice_amount=paid,
                point_amount="0.00",
            )
        return document

    def query(self, call: Call) -> dict:
        trade = self._find(call)
        if trade.trade_type == "PRECREATE" and trade.scanned_at is None and trade.status == trades.WAITING:
            raise refusal(
                "TRADE_NOT_FOUND", "the trade does not exist yet: the buyer has not scanned the code"
            )
        return self._document(trade, self._payment(trade))

    def close(self, call: Call) -> dict:
        trade = self._find(call)
        try:
            trades.close_trade(
                self.gateway, call.merchant.merchant_id, out_trade_no=None, trade_id=trade.trade_id
            )
        except trades.TradeRefusal as error:
            if error.reason == "TRADE_PAID":
                raise business("ACQ.TRADE_STATUS_ERROR", "a paid trade cannot be closed; refund it") from None
            raise
        return {"trade_no": trade.trade_id, "out_trade_no": trade.out_trade_no}

    def refund(self, call: Call) -> dict:
        fen = call.amount("refund_amount")
        trade = self._find(call)
        request_no = call.text("out_request_no", required=False, limit=64) or trade.out_trade_no
        number = f"{trade.trade_id}/{request_no}"
        repeated = self.gateway.store.find_refund(trade.merchant_id, number) is not None

        def notice(trade: TradeRecord, payment: PaymentRecord, refund: RefundRecord | None, now: float):
            return self.notice(trade, payment, refund, now, out_biz_no=request_no)

        money = Money(fen, trade.currency)
        refund, payment = settlement.refund_trade(self.gateway, trade, number, money, notice)
        return {
            "trade_no": trade.trade_id,
            "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": payment.payer_display,
            "buyer_user_id": user_id(payment.payer_account or ""),
            "fund_change": "N" if repeated else "Y",
            "refund_fee": wire.format_amount(payment.refunded),
            "gmt_refund_pay": wire.format_time(refund.created_at, self.dialect.timezone),
        }

    # -- notifications --------------------------------------------------------------------------------
    def notice(
        self,
        trade: TradeRecord,
        payment: PaymentRecord,
        refund: RefundRecord | None,
        now: float,
        *,
        out_biz_no: str = "",
    ) -> trades.Queued | None:
        """The asynchronous notification of a payment (or a refund), if the trade has a ``notify_url``."""
        if not trade.notify_url:
            return None
        merchant = self.dialect.merchants.by_id(trade.merchant_id)
        zone = self.dialect.timezone
        notify_id = uuid.uuid4().hex
        paid = wire.format_amount(payment.amount)
        fields = {
            "notify_type": "trade_status_sync",
            "notify_id": notify_id,
            "app_id": merchant.record.external_id,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": trade.trade_id,
            "out_trade_no": trade.out_trade_no,
            "buyer_id": user_id(payment.payer_account or ""),
            "buyer_logon_id": payment.payer_display,
            "seller_id": user_id(merchant.merchant_id),
            "trade_status": trade_status(trade, payment),
            "total_amount": paid,
            "receipt_amount": paid,
            "invoice_amount": paid,
            "buyer_pay_amount": paid,
            "point_amount": "0.00",
            "subject": trade.description,
            "body": trade.attach,
            "gmt_create": wire.format_time(trade.created_at, zone),
            "gmt_payment": wire.format_time(trade.paid_at or payment.created_at, zone),
            "fund_bill_list": json.dumps(
                [
                    {
                        "amount": paid,
                        "fundChannel": "BANKCARD" if payment.payer_type == "card" else "ALIPAYACCOUNT",
                    }
                ],
                separators=(",", ":"),
            ),
        }
        if refund is not None:
            fields.update(
                refund_fee=wire.format_amount(payment.refunded),
                gmt_refund=wire.format_time(refund.created_at, zone),
                out_biz_no=out_biz_no,
            )
        return trades.Queued(ALIPAY, trade.notify_url, encode_json(fields), notify_id)
