"""WeChat Pay v3's JSON: the request bodies the gateway accepts, and the documents it answers with.

Requests are parsed strictly (:class:`~paycore.payment.protocol.schemas.Strict`: JSON types taken
literally, unknown fields refused), with the fields the SDK sends. Answers follow WeChat Pay's
documents for a transaction and a refund; the same documents, encrypted, are the ``resource`` of
the notifications. Amounts are integers in fen, as in ``paycore/1``.
"""

from __future__ import annotations

import base64
import hashlib
import uuid

from pydantic import Field

from paycore.payment.gateway.dialects.trades import CLOSED, PAID, Queued
from paycore.payment.gateway.dialects.wechatpay_wire import encrypt_resource, rfc3339
from paycore.payment.gateway.store import DialectMerchantRecord, PaymentRecord, RefundRecord, TradeRecord
from paycore.payment.protocol.schemas import URL_PATTERN, Strict
from paycore.payment.protocol.wire import encode_json

OUT_TRADE_NO = r"^[A-Za-z0-9_|*-]{6,32}$"
OUT_REFUND_NO = r"^[A-Za-z0-9_|*@-]{1,64}$"
TRADE_TYPES = {"native": "NATIVE", "jsapi": "JSAPI", "app": "APP", "h5": "H5"}
"""The order endpoints (``POST /v3/pay/transactions/<name>``) and their ``trade_type``."""
STATE_TEXT = {
    "NOTPAY": "the order is not paid yet",
    "SUCCESS": "paid",
    "REFUND": "paid, and (part of it) refunded",
    "CLOSED": "closed",
}


CODES: dict[str, tuple[int, str]] = {
    "SIGN_ERROR": (
        401,
        "the Authorization header, the mchid and serial_no, the signature, the timestamp's 300 s "
        "window or the nonce did not check out (unsigned)",
    ),
    "PARAM_ERROR": (
        400,
        "the body or query breaks the schema; another merchant's mchid; a notify_url off the registered "
        "origins; a currency other than CNY; a refund's amount.total not the order's",
    ),
    "APPID_MCHID_NOT_MATCH": (400, "the appid is not bound to this mchid"),
    "ORDERPAID": (400, "the order is paid: ordering it again, or closing it"),
    "ORDER_CLOSED": (400, "the order is closed: ordering it again"),
    "INVALID_REQUEST": (
        400,
        "refunding an unpaid order, more than is left, or a used out_refund_no for another amount",
    ),
    "OUT_TRADE_NO_USED": (403, "this out_trade_no was used for an order with other terms"),
    "NOT_ENOUGH": (403, "the merchant's balance cannot cover the refund"),
    "ORDER_NOT_EXIST": (404, "no such order"),
    "RESOURCE_NOT_EXISTS": (404, "no such order to refund, or no such refund"),
    "SYSTEM_ERROR": (503, "the gateway's database cannot be written: nothing changed, retry"),
}
"""Every code the WeChat Pay dialect refuses with: its HTTP status and when (the OpenAPI document's too)."""


class WeChatPayError(Exception):
    """A refusal in WeChat Pay's words: the code's HTTP status (:data:`CODES`) and ``{"code", "message"}``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = CODES[code][0], code, message

    def document(self) -> dict:
        return {"code": self.code, "message": self.message}


ONLY_CNY = {"enum": ["CNY"]}
"""For the document: the dialect takes CNY only (it checks that itself, with a PARAM_ERROR)."""


class Amount(Strict):
    total: int = Field(gt=0, le=10**11)
    currency: str = Field(default="CNY", json_schema_extra=ONLY_CNY)


class Payer(Strict):
    openid: str = Field(min_length=1, max_length=128)


class OrderRequest(Strict):
    """``POST /v3/pay/transactions/{native|jsapi|app|h5}``."""

    appid: str = Field(max_length=32)
    mchid: str = Field(max_length=32)
    description: str = Field(min_length=1, max_length=127)
    out_trade_no: str = Field(pattern=OUT_TRADE_NO)
    notify_url: str = Field(pattern=URL_PATTERN, max_length=256)
    amount: Amount
    payer: Payer | None = None
    time_expire: str | None = None
    attach: str | None = Field(default=None, max_length=128)
    goods_tag: str | None = Field(default=None, max_length=32)
    detail: dict | None = None
    scene_info: dict | None = None
    settle_info: dict | None = None
    support_fapiao: bool | None = None


class CloseRequest(Strict):
    """``POST /v3/pay/transactions/out-trade-no/{no}/close``."""

    mchid: str


class RefundAmount(Strict):
    refund: int = Field(gt=0, le=10**11)
    total: int = Field(gt=0, le=10**11)
    currency: str = Field(default="CNY", json_schema_extra=ONLY_CNY)


class RefundRequest(Strict):
    """``POST /v3/refund/domestic/refunds``: by ``transaction_id`` or by ``out_trade_no``."""

    out_refund_no: str = Field(pattern=OUT_REFUND_NO)
    amount: RefundAmount
    transaction_id: str | None = None
    out_trade_no: str | None = Field(default=None, pattern=OUT_TRADE_NO)
    reason: str | None = Field(default=None, max_length=80)
    funds_account: str | None = None
    goods_detail: list | None = None
    notify_url: str | None = Field(default=None, pattern=URL_PATTERN, max_length=256)


def openid(appid: str, payer_account: str | None) -> str:
    """The payer's id under one app: stable for a payer and an app, unlinkable across apps."""
    digest = hashlib.sha256(f"{appid}\n{payer_account}".encode()).digest()
    return "o" + base64.urlsafe_b64encode(digest).decode("ascii")[:27]


def trade_state(trade: TradeRecord, payment: PaymentRecord | None) -> str:
    """The trade's ``trade_state``: ``NOTPAY``, ``SUCCESS``, ``REFUND`` or ``CLOSED``."""
    if trade.status == CLOSED:
        return "CLOSED"
    if trade.status == PAID:
        return "REFUND" if payment is not None and payment.refunded else "SUCCESS"
    return "NOTPAY"


def transaction(merchant: DialectMerchantRecord, trade: TradeRecord, payment: PaymentRecord | None) -> dict:
    """The transaction document: the answer to a query, and a payment notification's ``resource``."""
    state = trade_state(trade, payment)
    document = {
        "appid": merchant.appid,
        "mchid": merchant.external_id,
        "out_trade_no": trade.out_trade_no,
        "trade_type": trade.trade_type,
        "trade_state": state,
        "trade_state_desc": STATE_TEXT[state],
        "attach": trade.attach,
        "amount": {"total": trade.amount, "currency": trade.currency},
    }
    if payment is not None:
        document.update(
            transaction_id=trade.trade_id,
            bank_type="OTHERS" if payment.payer_type == "card" else "WALLET",
            success_time=rfc3339(trade.paid_at or payment.created_at),
            payer={"openid": openid(merchant.appid, payment.payer_account)},
        )
        document["amount"].update(payer_total=trade.amount, payer_currency=trade.currency)
    return document


def refund_document(trade: TradeRecord, payment: PaymentRecord, refund: RefundRecord) -> dict:
    """The refund document: the answer to a refund or its query, and a refund notification's resource."""
    return {
        "refund_id": refund.refund_id,
        "out_refund_no": refund.out_refund_no,
        "transaction_id": trade.trade_id,
        "out_trade_no": trade.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": payment.payer_display,
        "create_time": rfc3339(refund.created_at),
        "success_time": rfc3339(refund.created_at),
        "status": "SUCCESS",
        "funds_account": "AVAILABLE",
        "amount": {
            "total": payment.amount,
            "refund": refund.amount,
            "payer_total": payment.amount,
            "payer_refund": refund.amount,
            "currency": payment.currency,
        },
    }


def refund_notice(merchant: DialectMerchantRecord, document: dict) -> dict:
    """What a ``REFUND.SUCCESS`` notification's resource holds."""
    return {
        "mchid": merchant.external_id,
        "out_trade_no": document["out_trade_no"],
        "transaction_id": document["transaction_id"],
        "out_refund_no": document["out_refund_no"],
        "refund_id": document["refund_id"],
        "refund_status": "SUCCESS",
        "success_time": document["success_time"],
        "user_received_account": document["user_received_account"],
        "amount": {
            key: document["amount"][key] for key in ("total", "refund", "payer_total", "payer_refund")
        },
    }


EVENTS = {"TRANSACTION.SUCCESS": ("transaction", "支付成功"), "REFUND.SUCCESS": ("refund", "退款成功")}
"""The notifications: each event type's original type (the resource's associated data) and summary."""


def notification(
    merchant: DialectMerchantRecord, url: str, event_type: str, resource: dict, now: float
) -> Queued:
    """A notification to queue: its resource sealed under the merchant's APIv3 key (signed when sent)."""
    original_type, summary = EVENTS[event_type]
    event_id = str(uuid.uuid4())
    sealed = encrypt_resource(merchant.apiv3_key, encode_json(resource), original_type)
    body = {
        "id": event_id,
        "create_time": rfc3339(now),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": summary,
        "resource": {"original_type": original_type, **sealed},
    }
    return Queued("wechatpay", url, encode_json(body), event_id)
