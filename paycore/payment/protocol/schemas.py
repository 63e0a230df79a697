"""The JSON bodies of protocol ``paycore/1``, as strict pydantic models.

Strict means JSON types are taken literally: ``12345.0`` (a float), ``"12345"`` (a string) and
``true`` are not amounts, and unknown fields are refused rather than ignored. The same models
document the API in the OpenAPI pages (``/docs``) of both parties.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.money import CURRENCY_EXPONENTS, MAX_MINOR_UNITS

ID_PATTERN = r"^[A-Za-z0-9_-]{4,64}$"
URL_PATTERN = r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/\-]*)?$"


class Strict(BaseModel):
    """Base: strict types, unknown fields refused, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


CURRENCY_DOC = {"enum": sorted(CURRENCY_EXPONENTS)}
"""The currencies :class:`~paycore.payment.money.Money` knows, for the documents (it checks them itself)."""
MINOR_UNITS_DOC = {"minimum": 1, "maximum": MAX_MINOR_UNITS}
"""The amounts :class:`~paycore.payment.money.Money` takes, for the documents (it checks them itself)."""


class AmountModel(Strict):
    """An amount: integer minor units and an ISO 4217 code, e.g. ``{"value": 12345, "currency": "CNY"}``.

    Its range and currency are checked where it becomes :class:`~paycore.payment.money.Money`, whose
    messages say what is wrong ("amount must be positive"); the schema documents the same limits.
    """

    value: int = Field(
        description="minor units (fen, cents); an integer, never a float",
        examples=[12345],
        json_schema_extra=MINOR_UNITS_DOC,
    )
    currency: str = Field(min_length=3, max_length=3, examples=["CNY"], json_schema_extra=CURRENCY_DOC)


class CardIn(Strict):
    """A card as its holder types it: the payer of ``/orders/{id}/pay`` and of the dialects' cashier."""

    type: Literal["card"]
    number: str = Field(pattern=r"^[0-9]{12,19}$")
    expiry: str = Field(pattern=r"^(0[1-9]|1[0-2])/[0-9]{2}$")
    cvv: str = Field(pattern=r"^[0-9]{3,4}$")


class WalletIn(Strict):
    """A wallet account, for the same two."""

    type: Literal["wallet"]
    account: str = Field(pattern=r"^W-[A-Za-z0-9_-]{1,40}$")


class EnvelopeModel(Strict):
    """A ``paycore.secure`` envelope (see paycore/secure/envelope.py for the format)."""

    v: int
    alg: str
    enc: str
    kid: str
    ek: str
    iv: str
    ct: str


class PaymentRequest(Strict):
    """Step 3.3: what the merchant sends the gateway. The payer's details travel sealed."""

    merchant_id: str = Field(pattern=ID_PATTERN)
    out_trade_no: str = Field(pattern=ID_PATTERN, description="the merchant's unique number for this attempt")
    amount: AmountModel
    description: str = Field(max_length=128)
    notify_url: str = Field(pattern=URL_PATTERN, max_length=256)
    payer: EnvelopeModel = Field(
        description="sealed to the gateway's key; AAD = merchant_id + '\\n' + out_trade_no"
    )


class RefundRequest(Strict):
    """Return money from a successful payment, in full or in part."""

    merchant_id: str = Field(pattern=ID_PATTERN)
    out_trade_no: str = Field(pattern=ID_PATTERN)
    out_refund_no: str = Field(pattern=ID_PATTERN)
    amount: AmountModel
    reason: str = Field(default="", max_length=128)


class PayerView(Strict):
    """How a payer may be shown: the method and a masked id (BIN + last four for cards)."""

    type: Literal["card", "wallet"]
    display: str


class PaymentResource(Strict):
    """Step 3.5: the gateway's answer, also the data of a payment notification."""

    payment_id: str
    merchant_id: str
    out_trade_no: str
    status: Literal["SUCCEEDED", "FAILED"]
    amount: AmountModel
    refunded: int
    payer: PayerView
    failure_code: str | None
    created_at: int


class RefundResource(Strict):
    """The gateway's answer to a refund, also the data of a refund notification."""

    refund_id: str
    merchant_id: str
    out_refund_no: str
    out_trade_no: str
    status: Literal["SUCCEEDED"]
    amount: AmountModel
    payment_refunded_total: int
    created_at: int


class Event(Strict):
    """A notification: ``payment.succeeded``, ``payment.failed`` or ``refund.succeeded``."""

    event_id: str
    type: Literal["payment.succeeded", "payment.failed", "refund.succeeded"]
    created_at: int
    data: dict


def describe_problems(problems: list[dict]) -> str:
    """The one wording of schema violations: ``field.path: rule`` for up to five of them.

    Built from pydantic's error list without the rejected input (which could be a card number).
    A leading ``body`` location, as FastAPI reports it, is left out.
    """
    described = []
    for problem in problems[:5]:
        location = [str(part) for part in problem.get("loc", ())]
        if location[:1] == ["body"]:
            location = location[1:]
        described.append(f"{'.'.join(location) or 'body'}: {problem.get('msg', 'invalid')}")
    return "; ".join(described)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise _DuplicateKey(next(name for name in names if names.count(name) > 1))
    return dict(pairs)


def check_json_text(body: bytes) -> None:
    """Refuse bytes that two JSON readers could read differently: not UTF-8, not JSON, or a key twice.

    ``{"amount": 1, "amount": 99999}`` is legal JSON to most parsers, which keep the last value --
    and a signature over it would then vouch for whichever value a reader picks. One reading of
    every signed byte means such a body is refused outright (``DUPLICATE_JSON_KEY``).
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PaymentError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON (it is not UTF-8)") from None
    try:
        json.loads(text, object_pairs_hook=_refuse_duplicates)
    except _DuplicateKey as exc:
        key = (
            exc.key
            if len(exc.key) <= 40 and exc.key.isprintable()
            else exc.key[:40].encode("unicode_escape").decode()
        )
        raise PaymentError(
            ErrorCode.DUPLICATE_JSON_KEY, f'the key "{key}" appears twice in one object'
        ) from None
    except (ValueError, RecursionError):
        raise PaymentError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON") from None


def parse(model: type[Strict], body: bytes) -> Strict:
    """Parse raw JSON bytes into ``model``; malformed JSON and schema violations are clear refusals.

    The messages name the field and the rule, never the rejected value (which could be a secret).
    """
    check_json_text(body)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        problems = exc.errors(include_input=False, include_url=False)
        if any(problem["type"] == "json_invalid" for problem in problems):
            raise PaymentError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON") from None
        raise PaymentError(
            ErrorCode.INVALID_REQUEST, f"invalid request: {describe_problems(problems)}"
        ) from None


def validate(model: type[Strict], data: object, what: str) -> Strict:
    """Validate an already parsed document (a notification's ``data``); ``what`` names it in the refusal."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = exc.errors(include_input=False, include_url=False)
        raise PaymentError(
            ErrorCode.INVALID_REQUEST, f"invalid {what}: {describe_problems(problems)}"
        ) from None
