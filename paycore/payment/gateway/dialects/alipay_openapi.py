"""What the OpenAPI document says of Alipay's ``GET /gateway.do``: its parameters and its answers.

Alipay answers every request with HTTP 200, as the real platform does (its SDK reads answers with
``urlopen``, which raises on any other status): a refusal is inside the body. A request that does not
authenticate gets an unsigned ``{"error_response": {...}}`` (``40001``, ``40002``); every other
answer is signed, ``{"<method>_response": {...}, "sign": ...}``, holding either the method's
result (``code`` ``10000``) or a business failure (``40004``, or ``20000`` when the database
cannot be written). The sub-codes and their meanings come from the dialect's table
(:data:`.alipay.SUB_CODES`). ``alipay.trade.page.pay``, opened in the buyer's browser, redirects
to the cashier with ``303`` instead. The signature is a query parameter, not an HTTP credential:
it is refused with 200, so no security scheme is declared.
"""

from __future__ import annotations

from paycore.payment.gateway.dialects.alipay import SUB_CODES
from paycore.payment.openapi import APP_REFUSALS, Refusals, combine

_STRING = {"type": "string"}
_AMOUNT = {"type": "string", "pattern": "^(0|[1-9][0-9]{0,8})\\.[0-9]{2}$", "description": "yuan"}
_TIME = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"}


def _object(required: dict[str, dict], optional: dict[str, dict] | None = None) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


def _success(**fields: dict) -> dict:
    return {
        "code": {"type": "string", "enum": ["10000"]},
        "msg": {"type": "string", "enum": ["Success"]},
        **fields,
    }


_TRADE = _object(
    _success(
        trade_no=_STRING,
        out_trade_no=_STRING,
        trade_status={"type": "string", "enum": ["WAIT_BUYER_PAY", "TRADE_SUCCESS", "TRADE_CLOSED"]},
        total_amount=_AMOUNT,
    ),
    {
        "buyer_logon_id": _STRING,
        "buyer_user_id": {"type": "string", "pattern": "^2088[0-9]{1,12}$"},
        "send_pay_date": _TIME,
        **dict.fromkeys(("receipt_amount", "buyer_pay_amount", "invoice_amount", "point_amount"), _AMOUNT),
    },
)
RESULTS: dict[str, dict] = {
    "alipay.trade.precreate": _object(
        _success(out_trade_no=_STRING, qr_code={"type": "string", "description": "the cashier URL"})
    ),
    "alipay.trade.create": _object(_success(out_trade_no=_STRING, trade_no=_STRING)),
    "alipay.trade.pay": _TRADE,
    "alipay.trade.query": _TRADE,
    "alipay.trade.close": _object(_success(trade_no=_STRING, out_trade_no=_STRING)),
    "alipay.trade.refund": _object(
        _success(
            trade_no=_STRING,
            out_trade_no=_STRING,
            buyer_logon_id=_STRING,
            buyer_user_id=_STRING,
            fund_change={"type": "string", "enum": ["Y", "N"], "description": "N: a repeat, no money moved"},
            refund_fee={**_AMOUNT, "description": "yuan refunded so far, in all"},
            gmt_refund_pay=_TIME,
        )
    ),
}
"""Each method's result (``code`` ``10000``); ``alipay.trade.page.pay`` succeeds with a 303 instead."""
METHODS = sorted([*RESULTS, "alipay.trade.page.pay"])


def _sub_codes(*codes: str) -> list[str]:
    return sorted(sub_code for sub_code, (code, _) in SUB_CODES.items() if code in codes)


def _refusal(codes: tuple[str, ...]) -> dict:
    return _object(
        {
            "code": {"type": "string", "enum": list(codes)},
            "msg": _STRING,
            "sub_code": {"type": "string", "enum": _sub_codes(*codes)},
            "sub_msg": _STRING,
        }
    )


UNAUTHENTICATED = ("40001", "40002")
BUSINESS = ("40004", "20000")


def _signed_answer(method: str) -> dict:
    results = [RESULTS[method]] if method in RESULTS else []
    return _object(
        {
            f"{method.replace('.', '_')}_response": {"anyOf": [*results, _refusal(BUSINESS)]},
            "sign": {"type": "string", "pattern": "^[A-Za-z0-9+/]+={0,2}$"},
        }
    )


ANSWER = {"anyOf": [_object({"error_response": _refusal(UNAUTHENTICATED)}), *map(_signed_answer, METHODS)]}
"""The body of every 200: an unsigned ``error_response``, or one method's signed answer."""


def _meanings(*codes: str) -> str:
    return "\n".join(f"- `{sub}` ({SUB_CODES[sub][0]}): {SUB_CODES[sub][1]}" for sub in _sub_codes(*codes))


ANSWERS = {
    200: {
        "description": "Every answer but a page.pay redirect, refusals included (always HTTP 200). Either "
        '`{"error_response": {...}}`, unsigned, for a request that does not authenticate:\n\n'
        + _meanings(*UNAUTHENTICATED)
        + '\n\nor `{"<method>_response": {...}, "sign": "..."}`, signed (RSA2 over the exact text of the '
        "`<method>_response` object), holding the result (`code` 10000) or a business failure:\n\n"
        + _meanings(*BUSINESS),
        "content": {"application/json": {"schema": ANSWER}},
    },
    303: {
        "description": "`alipay.trade.page.pay`: the trade is made; on to its cashier page",
        "headers": {"Location": {"required": True, "description": "the cashier URL", "schema": _STRING}},
    },
}
RESPONSES = combine(ANSWERS, Refusals(*APP_REFUSALS).responses())
"""Every answer of ``/gateway.do``; the shared plumbing's refusals are ``paycore/1``'s (a body sent: 415)."""


def _query(name: str, description: str, schema: dict, *, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


PARAMETERS = [
    _query("app_id", "the application's id", {"type": "string", "minLength": 1}, required=True),
    _query("method", "what to do", {"type": "string", "enum": METHODS}, required=True),
    _query(
        "sign_type", "RSA2 only: RSA (SHA-1) is refused", {"type": "string", "enum": ["RSA2"]}, required=True
    ),
    _query(
        "sign",
        "base64 RSA2 (SHA256withRSA) by the application's key over every other parameter, sorted by name "
        "and joined as `k=v&k=v`, the values as they are (not URL-encoded)",
        {"type": "string", "pattern": "^[A-Za-z0-9+/]+={0,2}$"},
        required=True,
    ),
    _query(
        "timestamp",
        "`yyyy-MM-dd HH:mm:ss` in the gateway's time zone; within 300 s of its clock",
        _TIME,
        required=True,
    ),
    _query(
        "version", "the API's version (the SDK sends 1.0)", {"type": "string", "minLength": 1}, required=True
    ),
    _query("charset", "utf-8, in any case", {"type": "string", "pattern": "^[Uu][Tt][Ff]-8$"}),
    _query("format", "JSON, in any case", {"type": "string", "pattern": "^[Jj][Ss][Oo][Nn]$"}),
    _query("notify_url", "where the payment's notification goes: an origin registered for the app", _STRING),
    _query(
        "biz_content",
        "the method's fields: one JSON object, as text (amounts in yuan, two decimals at most)",
        _STRING,
    ),
]
