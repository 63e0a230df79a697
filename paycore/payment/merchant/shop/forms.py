"""Who is asking, and what they sent: the shopper's cookies, and the checkout's HTML forms read strictly.

A shopper is a random id in a cookie (``paycore_shopper``), standing in for a login as
``X-User-Id`` does for the API; the language and the cart are cookies too, all ``HttpOnly`` and
``SameSite=Strict``, scoped to ``/shop``. A form is parsed as the API parses JSON: through the API's
own models, so the shop refuses what the API refuses, in the same words.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant import models
from paycore.payment.merchant.shop.catalogue import Cart
from paycore.payment.merchant.shop.labels import LANGUAGES
from paycore.payment.protocol.schemas import describe_problems

SHOPPER, LANGUAGE, CART = "paycore_shopper", "paycore_lang", "paycore_cart"
_SHOPPER_ID = re.compile(r"shopper-[0-9a-f]{12}")
_AMOUNT = re.compile(r"[0-9]{1,15}")
MAX_FORM_FIELDS = 20


@dataclass
class Visit:
    """Who asks, in which language, with what in the cart -- and the cookies to set on the answer."""

    user: str
    new_user: bool
    language: str
    remember_language: bool
    cart: Cart

    @classmethod
    def of(cls, request: Request) -> Visit:
        user = request.cookies.get(SHOPPER, "")
        new_user = _SHOPPER_ID.fullmatch(user) is None
        if new_user:
            user = "shopper-" + secrets.token_hex(6)
        asked = request.query_params.get("lang")
        if asked in LANGUAGES:
            language, remember = asked, True
        elif request.cookies.get(LANGUAGE) in LANGUAGES:
            language, remember = request.cookies[LANGUAGE], False
        else:
            accept = request.headers.get("accept-language", "").strip().lower()
            language, remember = ("zh" if accept.startswith("zh") else "en"), False
        return cls(user, new_user, language, remember, Cart.from_cookie(request.cookies.get(CART)))

    def finish(self, response: Response, *, cart_changed: bool = False) -> Response:
        cookie = {"path": "/shop", "samesite": "strict", "httponly": True}
        if self.new_user:
            response.set_cookie(SHOPPER, self.user, **cookie)
        if self.remember_language:
            response.set_cookie(LANGUAGE, self.language, max_age=365 * 24 * 3600, **cookie)
        if cart_changed:
            response.set_cookie(CART, self.cart.to_cookie(), **cookie)
        return response


async def form_fields(request: Request) -> dict[str, str]:
    """An HTML form's fields (the last value of each); a form that cannot be read is a 400 refusal."""
    try:
        text = (await request.body()).decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise PaymentError(ErrorCode.INVALID_REQUEST, "the form could not be read", status=400) from None
    return {name: values[-1] for name, values in fields.items()}


def payment_from_form(fields: dict[str, str], currency: str) -> models.PayIn:
    """The pay form as the API's :class:`~paycore.payment.merchant.models.PayIn`, refused as the API would."""
    amount_text = fields.get("amount", "").strip()
    if fields.get("method") == "wallet":
        method = {"type": "wallet", "account": fields.get("account", "").strip()}
    else:
        method = {
            "type": "card",
            "number": re.sub(r"[ -]", "", fields.get("number", "")),  # people type 4111 1111 1111 1111
            "expiry": fields.get("expiry", "").strip(),
            "cvv": fields.get("cvv", "").strip(),
        }
    document = {
        "amount": {
            "value": int(amount_text) if _AMOUNT.fullmatch(amount_text) else amount_text,
            "currency": currency,
        },
        "method": method,
    }
    try:
        return models.PayIn.model_validate(document)
    except ValidationError as exc:
        problems = exc.errors(include_input=False, include_url=False)
        raise PaymentError(
            ErrorCode.INVALID_REQUEST, f"invalid request: {describe_problems(problems)}"
        ) from None
