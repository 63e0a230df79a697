"""Alipay's open API on the wire: sorted ``key=value`` strings, RSA2 signatures, signed JSON answers.

A request is a set of parameters (``app_id``, ``method``, ``charset``, ``sign_type``, ``timestamp``,
``version``, ``notify_url``, ``biz_content`` ...); its signature (``sign``) covers every parameter but
``sign`` itself, sorted by name and joined as ``k1=v1&k2=v2`` with the values as they are, not
URL-encoded. The answer is JSON ``{"<method>_response": {...}, "sign": "..."}`` whose signature
covers the exact text of the ``<method>_response`` object -- the SDK finds that text by matching
braces, so the gateway writes every ``{`` and ``}`` inside a string as ``\\u007b`` / ``\\u007d``.
A notification is a form whose signature covers every field but ``sign`` and ``sign_type``, empty
ones included. Nothing binds an answer to its request, and nothing but an optional timestamp dates a
request: no nonce. ``RSA2`` is PKCS#1 v1.5 over SHA-256; the older ``RSA`` (SHA-1) is refused.

Times are ``YYYY-MM-DD HH:MM:SS`` in a time zone both sides assume (Beijing time on the real
platform; the SDK writes its machine's local time). Amounts are decimal yuan strings (``"12.34"``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import errors as crypto_errors
from paycore import secure
from paycore.payment.gateway.dialects.keys import BEIJING

__all__ = ["BEIJING"]
SIGN_TYPE = "RSA2"
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?")
_TIME = "%Y-%m-%d %H:%M:%S"


def signing_string(fields: Mapping[str, str], *, leave_out: tuple[str, ...] = ("sign",)) -> str:
    """What a signature covers: every field but ``leave_out``, sorted by name, ``k=v`` joined by ``&``.

    >>> signing_string({"sign": "x", "method": "alipay.trade.query", "app_id": "2021000000000001"})
    'app_id=2021000000000001&method=alipay.trade.query'
    """
    return "&".join(f"{name}={fields[name]}" for name in sorted(fields) if name not in leave_out)


def sign(private_key: rsa.RSAPrivateKey, text: str) -> str:
    """RSA2: PKCS#1 v1.5 over SHA-256 of the UTF-8 text, base64."""
    signature = secure.sign(private_key, text.encode("utf-8"), secure.SignatureAlgorithm.PKCS1V15_SHA256)
    return base64.b64encode(signature).decode("ascii")


def verify(public_key: rsa.RSAPublicKey, text: str, signature: str) -> bool:
    """Whether ``signature`` (base64) is the key holder's RSA2 signature of ``text``."""
    try:
        raw = base64.b64decode(signature, validate=True)
        secure.verify(public_key, text.encode("utf-8"), raw, secure.SignatureAlgorithm.PKCS1V15_SHA256)
    except (binascii.Error, ValueError, crypto_errors.InvalidSignature):
        return False
    return True


def sign_notification(private_key: rsa.RSAPrivateKey, fields: Mapping[str, str]) -> dict[str, str]:
    """The fields with ``sign_type`` and ``sign`` added, signed over all the others (empty ones too)."""
    signed = {name: str(value) for name, value in fields.items() if name not in ("sign", "sign_type")}
    signature = sign(private_key, signing_string(signed, leave_out=("sign", "sign_type")))
    return {**signed, "sign_type": SIGN_TYPE, "sign": signature}


def _encode(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{_encode(str(key))}:{_encode(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("{", "\\u007b").replace("}", "\\u007d") if isinstance(value, str) else text


def signed_answer(private_key: rsa.RSAPrivateKey, response_key: str, document: dict) -> bytes:
    """``{"<response_key>": {...}, "sign": "..."}``, the signature over the inner object's exact text.

    >>> _encode({"subject": "Tea {large}"})
    '{"subject":"Tea \\\\u007blarge\\\\u007d"}'
    """
    inner = _encode(document)
    return f'{{"{response_key}":{inner},"sign":"{sign(private_key, inner)}"}}'.encode("ascii")


def unsigned_error(code: str, msg: str, sub_code: str, sub_msg: str) -> bytes:
    """An ``error_response`` without a signature: the refusal of a request that did not authenticate."""
    document = {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg}
    return f'{{"error_response":{_encode(document)}}}'.encode("ascii")


def answer_text(raw: bytes, response_key: str) -> str:
    """The exact text a signed answer's signature covers (as the SDK finds it, for notebooks and tests)."""
    text = raw.decode("utf-8")
    start = text.index("{", text.index(f'"{response_key}"'))
    depth = 0
    for position in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[position], 0)
        if depth == 0:
            return text[start : position + 1]
    raise ValueError("the answer's object does not close")


def format_time(timestamp: float, zone: tzinfo | None = BEIJING) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in ``zone`` (``None``: this machine's local time, as the SDK writes it).

    >>> format_time(1_764_201_600)
    '2025-11-27 08:00:00'
    """
    return datetime.fromtimestamp(int(timestamp), tz=zone).strftime(_TIME)


def parse_time(text: str, zone: tzinfo | None = BEIJING) -> float:
    """The Unix time of ``YYYY-MM-DD HH:MM:SS`` in ``zone``; ``ValueError`` if it is not one."""
    moment = datetime.strptime(text, _TIME)
    return (moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()).timestamp()


def parse_amount(value: object) -> int:
    """Fen from yuan: ``"12.34"`` (or the JSON number 12.34) is 1234; at most two decimals, over zero.

    >>> parse_amount("12.34"), parse_amount(Decimal("0.5")), parse_amount(3)
    (1234, 50, 300)
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError('an amount is yuan with at most two decimals, such as "12.34"')
    text = str(value)
    if not _AMOUNT.fullmatch(text):
        raise ValueError('an amount is yuan with at most two decimals, such as "12.34"')
    fen = int(Decimal(text) * 100)
    if fen <= 0:
        raise ValueError("an amount must be over zero")
    return fen


def format_amount(fen: int) -> str:
    """Yuan with two decimals, as Alipay writes amounts.

    >>> format_amount(1234), format_amount(5)
    ('12.34', '0.05')
    """
    return f"{fen // 100}.{fen % 100:02d}"
