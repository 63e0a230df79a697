"""What the OpenAPI document says of the WeChat Pay v3 routes: their parameters, bodies and every answer.

Refusals are in WeChat Pay's own format, an HTTP status and ``{"code", "message"}``, documented
from the dialect's table of codes (:data:`.wechatpay_models.CODES`) by
:class:`~paycore.payment.openapi.ErrorFormat`; the shared plumbing's refusals (a 415, a 404 for a
path parameter holding ``/``) are ``paycore/1``'s and are documented beside them. The request
is authenticated by its ``Authorization`` header (a security scheme: OpenAPI ignores a header
parameter of that name); every answer after checks 1-5 is signed with ``Wechatpay-*`` headers.
"""

from __future__ import annotations

from paycore.payment.gateway.dialects import wechatpay_models as models
from paycore.payment.gateway.dialects.wechatpay_wire import SCHEME
from paycore.payment.openapi import (
    APP_REFUSALS,
    PATH_REFUSALS,
    REF_PREFIX,
    ErrorFormat,
    Refusals,
    combine,
    header,
)
from paycore.payment.protocol.schemas import URL_PATTERN

SECURITY = "wechatpaySignature"
SECURITY_SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "Authorization",
    "description": f'`{SCHEME} mchid="..",nonce_str="..",signature="..",timestamp="..",serial_no=".."`: '
    "each field once. The signature is SHA256withRSA (PKCS#1 v1.5), base64, by the merchant's key, over "
    "`METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n` with the target as sent and the body's exact "
    "bytes; `serial_no` names the merchant's certificate, the timestamp is within 300 s of the "
    "gateway's clock and the nonce (8-64 letters, digits, `-` or `_`) fresh. See docs/DIALECTS.md.",
}
_STRING = {"type": "string"}
_NONEMPTY = {"type": "string", "minLength": 1}


def _answer_headers(*, required: bool) -> dict[str, dict]:
    def one(description: str, schema: dict) -> dict:
        return {"required": required, "description": description, "schema": schema}

    return {
        "Wechatpay-Timestamp": one(
            "Unix seconds when signed", {"type": "string", "pattern": "^[0-9]{1,12}$"}
        ),
        "Wechatpay-Nonce": one("fresh per answer", {"type": "string", "pattern": "^[A-Za-z0-9]{32}$"}),
        "Wechatpay-Signature": one(
            "base64 SHA256withRSA by the platform key over `TIMESTAMP\\nNONCE\\nBODY\\n`",
            {"type": "string", "pattern": "^[A-Za-z0-9+/]+={0,2}$"},
        ),
        "Wechatpay-Serial": one(
            "the platform key's `public_key_id` if the request's `Wechatpay-Serial` named it, else the "
            "platform certificate's serial number",
            _NONEMPTY,
        ),
        "Wechatpay-Signature-Type": one("the one scheme", {"type": "string", "enum": [SCHEME]}),
        "Request-ID": one("this answer's id", {"type": "string", "pattern": "^[0-9a-f]{32}$"}),
    }


SIGNED_HEADERS = _answer_headers(required=True)


def _error_schema(codes: list[str]) -> dict:
    return {
        "type": "object",
        "required": ["code", "message"],
        "additionalProperties": False,
        "properties": {"code": {"type": "string", "enum": codes}, "message": _STRING},
    }


ERRORS = ErrorFormat(
    "WeChat Pay", models.CODES, _error_schema, headers=lambda status: {} if status == 401 else SIGNED_HEADERS
)
"""WeChat Pay's refusals: ``401 SIGN_ERROR`` unsigned (checks 1-5), every other one signed."""
PLUMBING = Refusals(*APP_REFUSALS)
"""The shared plumbing's refusals, in ``paycore/1``'s format (a body not sent as JSON: 415 ...)."""
SIGNED_REQUEST = ("SIGN_ERROR", "SYSTEM_ERROR")

REQUEST_PARAMETERS = [
    header(
        "Wechatpay-Serial",
        "the platform key the caller verifies answers with: its `public_key_id` in public-key mode (the "
        "SDK sends it), else the certificate's serial number; any other value is taken, and answered with "
        "the certificate's",
        _STRING,
        required=False,
    )
]
MCHID_QUERY = {
    "name": "mchid",
    "in": "query",
    "required": True,
    "description": "the signing merchant's own mchid (another is refused with PARAM_ERROR)",
    "schema": {"type": "string", "maxLength": 32},
}
OUT_TRADE_NO = {"type": "string", "pattern": models.OUT_TRADE_NO}
OUT_REFUND_NO = {"type": "string", "pattern": models.OUT_REFUND_NO}
TRANSACTION_ID = {"type": "string", "pattern": "^[0-9]{1,32}$"}


def request(*, body: dict | None = None, query: list[dict] | None = None) -> dict:
    """An ``openapi_extra``: the security scheme, the request headers and query, the body's schema."""
    extra: dict = {"security": [{SECURITY: []}], "parameters": [*REQUEST_PARAMETERS, *(query or [])]}
    if body is not None:
        extra["requestBody"] = {
            "required": True,
            "description": "signed as sent: the signature covers these exact bytes",
            "content": {"application/json": {"schema": body}},
        }
    return extra


def order_body(trade_type: str) -> dict:
    """The body of ``POST /v3/pay/transactions/<kind>``: JSAPI names its payer, H5 its scene."""
    schema = models.OrderRequest.model_json_schema(ref_template=REF_PREFIX + "{model}")
    needs = {
        "JSAPI": ("payer", {"$ref": REF_PREFIX + "Payer"}),
        "H5": ("scene_info", {"type": "object"}),
    }
    if trade_type in needs:
        name, value = needs[trade_type]
        schema["required"] = [*schema["required"], name]
        schema["properties"][name] = value
    return schema


def refund_body() -> dict:
    """The body of ``POST /v3/refund/domestic/refunds``: by ``transaction_id`` or ``out_trade_no``."""
    schema = models.RefundRequest.model_json_schema(ref_template=REF_PREFIX + "{model}")
    schema["oneOf"] = [
        {"required": [name], "properties": {name: _STRING}} for name in ("transaction_id", "out_trade_no")
    ]
    return schema


def _json(schema: dict, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        "headers": SIGNED_HEADERS,
    }


def _object(required: dict[str, dict], optional: dict[str, dict] | None = None) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


_TIME = {"type": "string", "format": "date-time"}
_FEN = {"type": "integer", "minimum": 1}
TRANSACTION = _object(
    {
        "appid": _STRING,
        "mchid": _STRING,
        "out_trade_no": _STRING,
        "trade_type": {"type": "string", "enum": sorted(models.TRADE_TYPES.values())},
        "trade_state": {"type": "string", "enum": sorted(models.STATE_TEXT)},
        "trade_state_desc": _STRING,
        "attach": _STRING,
        "amount": _object(
            {"total": _FEN, "currency": _STRING}, {"payer_total": _FEN, "payer_currency": _STRING}
        ),
    },
    {
        "transaction_id": _STRING,
        "bank_type": {"type": "string", "enum": ["OTHERS", "WALLET"]},
        "success_time": _TIME,
        "payer": _object({"openid": _STRING}),
    },
)
"""A transaction, as a query answers it (the fields from ``transaction_id`` on once it is paid)."""
_REFUND_AMOUNT = ("total", "refund", "payer_total", "payer_refund")
REFUND = _object(
    {
        **dict.fromkeys(("refund_id", "out_refund_no", "transaction_id", "out_trade_no"), _STRING),
        "channel": {"type": "string", "enum": ["ORIGINAL"]},
        "user_received_account": _STRING,
        "create_time": _TIME,
        "success_time": _TIME,
        "status": {"type": "string", "enum": ["SUCCESS"]},
        "funds_account": {"type": "string", "enum": ["AVAILABLE"]},
        "amount": _object({**dict.fromkeys(_REFUND_AMOUNT, _FEN), "currency": _STRING}),
    }
)
"""A refund: ``SUCCESS`` at once (paycore's refunds have no ``PROCESSING`` step)."""
CERTIFICATES = _object(
    {
        "data": {
            "type": "array",
            "minItems": 1,
            "items": _object(
                {
                    "serial_no": _NONEMPTY,
                    "effective_time": _TIME,
                    "expire_time": _TIME,
                    "encrypt_certificate": _object(
                        {
                            "algorithm": {"type": "string", "enum": ["AEAD_AES_256_GCM"]},
                            "ciphertext": _STRING,
                            "associated_data": _STRING,
                            "nonce": _STRING,
                        }
                    ),
                }
            ),
        }
    }
)
ORDER_ANSWERS = {
    "NATIVE": ("code_url", "the cashier URL, for a QR code"),
    "H5": ("h5_url", "the cashier URL, for the payer's browser"),
    "JSAPI": ("prepay_id", "the cashier token (`/cashier/<prepay_id>`)"),
    "APP": ("prepay_id", "the cashier token (`/cashier/<prepay_id>`)"),
}


def order_answer(trade_type: str) -> dict:
    name, description = ORDER_ANSWERS[trade_type]
    field = {"type": "string", "description": description}
    if name != "prepay_id":
        field["pattern"] = URL_PATTERN
    return _json(_object({name: field}), "the trade, waiting for the payer; signed")


def responses(*codes: str, path: bool = False, **success: dict) -> dict[int, dict]:
    """Every answer of a route: ``success``, its WeChat Pay ``codes`` and the plumbing's refusals."""
    plumbing = PLUMBING.responses(*(PATH_REFUSALS if path else ()))
    return combine(ERRORS.responses(*SIGNED_REQUEST, *codes, **success), plumbing)


def signed(schema: dict, description: str) -> dict:
    """A signed 200 answer with this JSON body."""
    return {"200": _json(schema, f"{description}; signed")}


CLOSED = {"204": {"description": "closed (or closed already); no body, signed", "headers": SIGNED_HEADERS}}
