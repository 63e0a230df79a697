"""WeChat Pay API v3 on the wire: the strings each side signs, its headers, and its encrypted resources.

A merchant's request carries one header::

    Authorization: WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="...",signature="...",
                   timestamp="1764201600",serial_no="<the merchant certificate's serial>"

whose signature (PKCS#1 v1.5 over SHA-256, base64) covers
``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n`` -- the body itself, not a hash of it. The
platform answers with ``Wechatpay-Timestamp``, ``-Nonce``, ``-Signature``, ``-Serial`` and
``-Signature-Type`` over ``TIMESTAMP\\nNONCE\\nBODY\\n``:
unlike ``paycore/1``'s answers, nothing in that string ties the answer to the request it answers.
What the platform sends the merchant in a notification (and its certificates) is encrypted with
AES-256-GCM under the merchant's 32-character APIv3 key, the nonce and associated data beside it.

Nothing here loads a web framework; notebook 09 builds and checks these strings by hand.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from paycore import errors as crypto_errors
from paycore import secure
from paycore.payment.gateway.dialects.keys import BEIJING

SCHEME = "WECHATPAY2-SHA256-RSA2048"
"""The one signature scheme: the ``Authorization`` scheme and ``Wechatpay-Signature-Type``."""
ANSWER_HEADERS = ("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial")
_FIELDS = ("mchid", "nonce_str", "signature", "timestamp", "serial_no")
_PAIR = re.compile(r'\s*([a-z_]+)="([^"]*)"\s*')
_TIMESTAMP = re.compile(r"0|[1-9][0-9]{0,11}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_ALPHABET = string.ascii_letters + string.digits


class AuthorizationError(ValueError):
    """The ``Authorization`` header is missing or ill-formed."""


@dataclass(frozen=True)
class Authorization:
    """The five fields of a merchant request's ``Authorization`` header, format-checked."""

    mchid: str
    nonce_str: str
    signature: bytes
    timestamp: int
    serial_no: str


def parse_authorization(values: list[str]) -> Authorization:
    """Parse the header's values (it must be sent once): the scheme, then each field once, quoted."""
    if len(values) != 1:
        raise AuthorizationError("send one Authorization header")
    scheme, _, rest = values[0].partition(" ")
    if scheme != SCHEME:
        raise AuthorizationError(f"the Authorization scheme must be {SCHEME}")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        match = _PAIR.fullmatch(part)
        if match is None or match.group(1) in fields:
            raise AuthorizationError('Authorization fields are name="value", each once, comma-separated')
        fields[match.group(1)] = match.group(2)
    if set(fields) != set(_FIELDS):
        raise AuthorizationError(f"Authorization needs exactly {', '.join(_FIELDS)}")
    if not _TIMESTAMP.fullmatch(fields["timestamp"]):
        raise AuthorizationError("timestamp is Unix seconds in digits")
    if not _NONCE.fullmatch(fields["nonce_str"]):
        raise AuthorizationError("nonce_str is 8-64 letters, digits, - or _")
    try:
        signature = base64.b64decode(fields["signature"], validate=True)
    except (binascii.Error, ValueError):
        raise AuthorizationError("signature is base64") from None
    return Authorization(
        fields["mchid"], fields["nonce_str"], signature, int(fields["timestamp"]), fields["serial_no"]
    )


def request_message(method: str, target: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """What a merchant's request signature covers.

    >>> request_message("GET", "/v3/certificates", 1764201600, "N1", b"")
    b'GET\\n/v3/certificates\\n1764201600\\nN1\\n\\n'
    """
    return f"{method}\n{target}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"


def answer_message(timestamp: int, nonce: str, body: bytes) -> bytes:
    """What the platform's signature on an answer or a notification covers.

    >>> answer_message(1764201600, "N1", b"{}")
    b'1764201600\\nN1\\n{}\\n'
    """
    return f"{timestamp}\n{nonce}\n".encode() + body + b"\n"


def sign(private_key: rsa.RSAPrivateKey, message: bytes) -> str:
    """PKCS#1 v1.5 over SHA-256, base64: ``SHA256withRSA``."""
    signature = secure.sign(private_key, message, secure.SignatureAlgorithm.PKCS1V15_SHA256)
    return base64.b64encode(signature).decode("ascii")


def verify(public_key: rsa.RSAPublicKey, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the key holder's ``SHA256withRSA`` signature of ``message``."""
    try:
        secure.verify(public_key, message, signature, secure.SignatureAlgorithm.PKCS1V15_SHA256)
    except crypto_errors.InvalidSignature:
        return False
    return True


def new_nonce(length: int = 32) -> str:
    """A random nonce of letters and digits (32 by default, as the SDK's are)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def signed_headers(
    private_key: rsa.RSAPrivateKey, serial: str, body: bytes, timestamp: int
) -> dict[str, str]:
    """The ``Wechatpay-*`` headers of an answer or notification with ``body``, signed now."""
    nonce = new_nonce()
    return {
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": sign(private_key, answer_message(timestamp, nonce, body)),
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": SCHEME,
    }


def encrypt_resource(apiv3_key: str, plaintext: bytes, associated_data: str) -> dict[str, str]:
    """AES-256-GCM under the APIv3 key; the 12-character nonce and the associated data travel beside it."""
    nonce = new_nonce(12)
    sealed = AESGCM(apiv3_key.encode("ascii")).encrypt(nonce.encode(), plaintext, associated_data.encode())
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(sealed).decode("ascii"),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def decrypt_resource(apiv3_key: str, resource: dict) -> bytes:
    """Open an encrypted resource; ``ValueError`` if it was not sealed under this key as it stands."""
    try:
        return AESGCM(apiv3_key.encode("ascii")).decrypt(
            resource["nonce"].encode(),
            base64.b64decode(resource["ciphertext"]),
            resource.get("associated_data", "").encode(),
        )
    except (InvalidTag, KeyError, TypeError, binascii.Error, AttributeError) as exc:
        raise ValueError(f"the resource does not open under this APIv3 key ({type(exc).__name__})") from None


def rfc3339(timestamp: float) -> str:
    """A time as WeChat Pay writes it, in Beijing time.

    >>> rfc3339(1_764_201_600)
    '2025-11-27T08:00:00+08:00'
    """
    return datetime.fromtimestamp(int(timestamp), tz=BEIJING).isoformat()
