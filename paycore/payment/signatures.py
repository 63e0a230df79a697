"""The signed message format of protocol ``paycore/1``: canonical strings and signature headers.

A signature covers a *canonical string* built from the message, one field per line, each line
ending in ``\\n`` (WeChat Pay v3's layout, which leaves no ordering ambiguity)::

    request:   METHOD \\n PATH \\n TIMESTAMP \\n NONCE \\n SHA256-HEX(BODY) \\n
    response:  STATUS \\n REQUEST-NONCE \\n TIMESTAMP \\n NONCE \\n SHA256-HEX(BODY) \\n

``PATH`` includes the query string exactly as sent. The body is hashed as the exact bytes on the
wire, so the receiver verifies *before* it parses anything. A response names the nonce of the
request it answers, so a signed "paid" answer to one request cannot be replayed as the answer
to another. The signature travels in headers, next to the signer's key id, the timestamp, the
nonce and the algorithm (RSA-PSS-SHA256 by default, RSA-PKCS1v15-SHA256 for compatibility).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import errors as crypto_errors
from paycore import secure
from paycore.payment import errors
from paycore.payment.errors import PaymentError

KEY_ID = "Paycore-Key-Id"
TIMESTAMP = "Paycore-Timestamp"
NONCE = "Paycore-Nonce"
ALGORITHM = "Paycore-Signature-Algorithm"
SIGNATURE = "Paycore-Signature"
IDEMPOTENCY_KEY = "Idempotency-Key"
SIGNATURE_HEADERS = (KEY_ID, TIMESTAMP, NONCE, ALGORITHM, SIGNATURE)

_NONCE_FORMAT = re.compile(r"[A-Za-z0-9_-]{16,64}")
_KEY_ID_FORMAT = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP_FORMAT = re.compile(r"[0-9]{1,12}")


def new_nonce() -> str:
    """128 bits from the OS CSPRNG, as 32 hex digits."""
    return secrets.token_hex(16)


def body_digest(body: bytes) -> str:
    """SHA-256 of the exact body bytes, in hex."""
    return hashlib.sha256(body).hexdigest()


def canonical_request(method: str, path: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The bytes a request signature covers.

    >>> canonical_request("POST", "/v1/payments", 1764201600, "n" * 32, b"{}")
    b'POST\\n/v1/payments\\n1764201600\\nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\\n'
    """
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{body_digest(body)}\n".encode()


def canonical_response(status: int, request_nonce: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The bytes a response signature covers, bound to the request it answers."""
    return f"{status}\n{request_nonce}\n{timestamp}\n{nonce}\n{body_digest(body)}\n".encode()


@dataclass(frozen=True)
class SignedHeaders:
    """The five signature headers of one message, parsed and format-checked."""

    key_id: str
    timestamp: int
    nonce: str
    algorithm: secure.SignatureAlgorithm
    signature: bytes

    def to_headers(self) -> dict[str, str]:
        """As HTTP headers."""
        return {
            KEY_ID: self.key_id,
            TIMESTAMP: str(self.timestamp),
            NONCE: self.nonce,
            ALGORITHM: self.algorithm.value,
            SIGNATURE: base64.b64encode(self.signature).decode("ascii"),
        }

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> SignedHeaders:
        """Parse and format-check; any problem is a ``MALFORMED_HEADERS`` (or algorithm) refusal."""
        lowered = {name.lower(): value for name, value in headers.items()}
        missing = [name for name in SIGNATURE_HEADERS if name.lower() not in lowered]
        if missing:
            raise PaymentError(
                errors.MALFORMED_HEADERS, f"missing signature headers: {', '.join(missing)}", 401
            )
        key_id, timestamp, nonce, algorithm, signature = (lowered[name.lower()] for name in SIGNATURE_HEADERS)
        if not _KEY_ID_FORMAT.fullmatch(key_id):
            raise PaymentError(errors.MALFORMED_HEADERS, f"{KEY_ID} must be 64 lowercase hex digits", 401)
        if not _TIMESTAMP_FORMAT.fullmatch(timestamp):
            raise PaymentError(errors.MALFORMED_HEADERS, f"{TIMESTAMP} must be Unix seconds", 401)
        if not _NONCE_FORMAT.fullmatch(nonce):
            raise PaymentError(
                errors.MALFORMED_HEADERS, f"{NONCE} must be 16-64 letters, digits, - or _", 401
            )
        try:
            scheme = secure.SignatureAlgorithm.parse(algorithm)
        except ValueError as exc:
            raise PaymentError(errors.UNSUPPORTED_ALGORITHM, str(exc), 401) from None
        try:
            raw = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise PaymentError(errors.MALFORMED_HEADERS, f"{SIGNATURE} must be base64", 401) from None
        return cls(key_id, int(timestamp), nonce, scheme, raw)


class MessageSigner:
    """Signs outgoing messages with one party's private key."""

    def __init__(
        self,
        private_key: rsa.RSAPrivateKey,
        algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
    ) -> None:
        self.private_key = private_key
        self.key_id = secure.key_id(private_key)
        self.algorithm = secure.SignatureAlgorithm.parse(algorithm)

    def _headers(self, canonical: bytes, timestamp: int, nonce: str) -> dict[str, str]:
        signature = secure.sign(self.private_key, canonical, self.algorithm)
        return SignedHeaders(self.key_id, timestamp, nonce, self.algorithm, signature).to_headers()

    def sign_request(
        self, method: str, path: str, body: bytes, *, timestamp: int, nonce: str | None = None
    ) -> dict[str, str]:
        """Signature headers for a request (a fresh nonce unless one is given)."""
        nonce = nonce or new_nonce()
        return self._headers(canonical_request(method, path, timestamp, nonce, body), timestamp, nonce)

    def sign_response(
        self, status: int, request_nonce: str, body: bytes, *, timestamp: int
    ) -> dict[str, str]:
        """Signature headers for a response to the request that carried ``request_nonce``."""
        nonce = new_nonce()
        return self._headers(
            canonical_response(status, request_nonce, timestamp, nonce, body), timestamp, nonce
        )


def verify_signature(public_key: rsa.RSAPublicKey, signed: SignedHeaders, canonical: bytes) -> None:
    """Check the signature over ``canonical``; an ``INVALID_SIGNATURE`` refusal if it does not match."""
    try:
        secure.verify(public_key, canonical, signed.signature, signed.algorithm)
    except crypto_errors.InvalidSignature:
        raise PaymentError(errors.INVALID_SIGNATURE, "signature does not match the message", 401) from None
