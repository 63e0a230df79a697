"""What the OpenAPI document says of the cashier: the payer's HTML page, paying with JSON, payment codes.

The cashier answers in ``paycore/1``'s error shape, ``{"error": {"code", "message"}}``, with
``paycore/1``'s codes for a bad body and the cashier's own (:data:`.cashier.CODES`) for the rest;
a refused payment also says the trade's ``status`` (and, declined, why and for how much).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from paycore.payment.errors import ErrorCode as E
from paycore.payment.gateway.dialects.cashier import CODE_SECONDS, CODES
from paycore.payment.gateway.dialects.cashier_page import HEADERS
from paycore.payment.openapi import APP_REFUSALS, PATH_REFUSALS, ErrorFormat, Refusals, combine, request_body
from paycore.payment.protocol.schemas import CardIn, Strict, WalletIn

TOKEN = {"pattern": "^[A-Za-z0-9_-]{32,64}$"}
"""A cashier token: 192 bits or more from the OS's CSPRNG, URL-safe (WeChat Pay's are ``wx`` and hex)."""


class CashierPayment(Strict):
    """The payment method, exactly as the merchant API's pay takes it; nothing else (the amount is set)."""

    method: Annotated[CardIn | WalletIn, Field(discriminator="type")]


class PaymentCodeRequest(Strict):
    """The wallet whose owner asks for a one-time payment code."""

    method: WalletIn


_STRING = {"type": "string"}
_AMOUNT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value", "currency"],
    "properties": {"value": {"type": "integer", "minimum": 1}, "currency": _STRING},
}
_STATUS = {
    "type": "string",
    "description": "the trade's status in its platform's words (NOTPAY, TRADE_SUCCESS...)",
}
_EXTRAS = {
    "PAYMENT_DECLINED": {
        "failure_code": _STRING,
        "out_trade_no": _STRING,
        "status": _STATUS,
        "amount": _AMOUNT,
    },
    "TRADE_PAID": {"status": _STATUS},
    "TRADE_CLOSED": {"status": _STATUS},
}


def _error_schema(codes: list[str]) -> dict:
    extras = {name: schema for code in codes for name, schema in _EXTRAS.get(code, {}).items()}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["error", *extras],
        "properties": {
            "error": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "message"],
                "properties": {"code": {"type": "string", "enum": codes}, "message": _STRING},
            },
            **extras,
        },
    }


ERRORS = ErrorFormat("the cashier", CODES, _error_schema)
PLUMBING = Refusals(*APP_REFUSALS)
BODY = (E.MALFORMED_JSON, E.DUPLICATE_JSON_KEY, E.INVALID_REQUEST, E.STORAGE_UNAVAILABLE)
"""What a JSON body at the cashier may be refused with, in ``paycore/1``'s words, and the database."""


def _json(schema: dict, description: str) -> dict:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


PAID = _json(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["out_trade_no", "status", "amount", "payer"],
        "properties": {
            "out_trade_no": _STRING,
            "status": _STATUS,
            "amount": _AMOUNT,
            "payer": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "display"],
                "properties": {
                    "type": {"type": "string", "enum": ["card", "wallet"]},
                    "display": {"type": "string", "description": "masked"},
                },
            },
        },
    },
    "paid: the ledger moved, the trade is paid and the merchant's notification queued, in one unit of work",
)
CODE_ISSUED = _json(
    {
        "type": "object",
        "additionalProperties": False,
        "required": ["auth_code", "expires_in"],
        "properties": {
            "auth_code": {
                "type": "string",
                "pattern": "^28[0-9]{16}$",
                "description": "for alipay.trade.pay",
            },
            "expires_in": {"type": "integer", "enum": [CODE_SECONDS], "description": "seconds"},
        },
    },
    "a one-time code: it pays once, within the time given; only its hash is stored",
)
_PAGE_HEADERS = {
    name: {"required": True, "description": "the page cannot be framed, nor cached", "schema": _STRING}
    for name in HEADERS
}
_HTML = {"text/html": {"schema": {"type": "string"}}}

PAGE_RESPONSES = combine(
    {
        200: {"description": "the order and a form to pay it", "content": _HTML, "headers": _PAGE_HEADERS},
        404: {
            "description": "a page: no order has this cashier URL",
            "content": _HTML,
            "headers": _PAGE_HEADERS,
        },
    },
    PLUMBING.responses(*PATH_REFUSALS, E.STORAGE_UNAVAILABLE),
)
PAY_RESPONSES = combine(
    ERRORS.responses("PAYMENT_DECLINED", "TRADE_NOT_FOUND", "TRADE_PAID", "TRADE_CLOSED", **PAID),
    PLUMBING.responses(*PATH_REFUSALS, *BODY),
)
CODE_RESPONSES = combine(ERRORS.responses("WALLET_NOT_FOUND", **CODE_ISSUED), PLUMBING.responses(*BODY))
PAY_BODY = request_body(CashierPayment, description='`{"method": {...}}` and nothing else')
CODE_BODY = request_body(PaymentCodeRequest, description="a wallet only: a card pays at the cashier page")
