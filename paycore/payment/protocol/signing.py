"""Signed messages of protocol ``paycore/1``: canonical strings, the signer and the one verifier.

A signature covers a *canonical string* built from the message, one field per line, each line
ending in ``\\n`` (WeChat Pay v3's layout, which leaves no ordering ambiguity)::

    request:   METHOD \\n TARGET \\n TIMESTAMP \\n NONCE \\n SHA256-HEX(BODY) \\n
    response:  STATUS \\n REQUEST-NONCE \\n TIMESTAMP \\n NONCE \\n SHA256-HEX(BODY) \\n

``TARGET`` is the request target exactly as sent on the request line: the path with its query
string, percent-encoding untouched (``/v1/%70ayments`` and ``/v1/payments`` are two targets with two
canonical strings). ``TIMESTAMP`` is Unix seconds in decimal digits with no leading zero, so that
one number has exactly one spelling. The body is hashed as the exact
bytes on the wire, so the receiver verifies *before* it parses anything. A response names the
nonce of the request it answers, so a signed "paid" answer to one request cannot be replayed as
the answer to another. The signature travels in headers, next to the signer's key id, the
timestamp, the nonce and the algorithm (RSA-PSS-SHA256 by default, RSA-PKCS1v15-SHA256 for
compatibility).

:class:`MessageSigner` signs; :class:`MessageVerifier` is the one place where a received message's
key, pinned algorithm, signature, window and nonce are checked -- requests at the gateway,
answers and notifications at the merchant.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import errors as crypto_errors
from paycore import secure
from paycore.payment.clock import Clock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.protocol import ALGORITHM, KEY_ID, NONCE, SIGNATURE, SIGNATURE_HEADERS, TIMESTAMP, replay
from paycore.payment.protocol.wire import Headers

_NONCE_FORMAT = re.compile(r"[A-Za-z0-9_-]{16,64}")
_KEY_ID_FORMAT = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP_FORMAT = re.compile(r"0|[1-9][0-9]{0,11}")


def new_nonce() -> str:
    """128 bits from the OS CSPRNG, as 32 hex digits."""
    return secrets.token_hex(16)


def body_digest(body: bytes) -> str:
    """SHA-256 of the exact body bytes, in hex."""
    return hashlib.sha256(body).hexdigest()


def canonical_request(method: str, target: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The bytes a request signature covers.

    >>> canonical_request("POST", "/v1/payments", 1764201600, "n" * 32, b"{}")
    b'POST\\n/v1/payments\\n1764201600\\nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\\n'
    """
    return f"{method.upper()}\n{target}\n{timestamp}\n{nonce}\n{body_digest(body)}\n".encode()


def canonical_response(status: int, request_nonce: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The bytes a response signature covers, bound to the request it answers."""
    return f"{status}\n{request_nonce}\n{timestamp}\n{nonce}\n{body_digest(body)}\n".encode()


def _malformed(message: str) -> PaymentError:
    return PaymentError(ErrorCode.MALFORMED_HEADERS, message)


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
        received = Headers(headers)
        missing = [name for name in SIGNATURE_HEADERS if name not in received]
        if missing:
            raise _malformed(f"missing signature headers: {', '.join(missing)}")
        repeated = [name for name in SIGNATURE_HEADERS if len(received.get_all(name)) > 1]
        if repeated:  # two copies could be read two ways: refuse rather than pick one
            raise _malformed(f"signature headers sent more than once: {', '.join(repeated)}")
        key_id, timestamp, nonce, algorithm, signature = (received[name] for name in SIGNATURE_HEADERS)
        if not _KEY_ID_FORMAT.fullmatch(key_id):
            raise _malformed(f"{KEY_ID} must be 64 lowercase hex digits")
        if not _TIMESTAMP_FORMAT.fullmatch(timestamp):
            raise _malformed(f"{TIMESTAMP} must be Unix seconds in digits, without a leading zero")
        if not _NONCE_FORMAT.fullmatch(nonce):
            raise _malformed(f"{NONCE} must be 16-64 letters, digits, - or _")
        try:
            scheme = secure.SignatureAlgorithm.parse(algorithm)
        except ValueError as exc:
            raise PaymentError(ErrorCode.UNSUPPORTED_ALGORITHM, str(exc)) from None
        try:
            raw = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise _malformed(f"{SIGNATURE} must be base64") from None
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
        self, method: str, target: str, body: bytes, *, timestamp: int, nonce: str | None = None
    ) -> dict[str, str]:
        """Signature headers for a request (a fresh nonce unless one is given)."""
        nonce = nonce or new_nonce()
        return self._headers(canonical_request(method, target, timestamp, nonce, body), timestamp, nonce)

    def sign_response(
        self, status: int, request_nonce: str, body: bytes, *, timestamp: int
    ) -> dict[str, str]:
        """Signature headers for a response to the request that carried ``request_nonce``."""
        nonce = new_nonce()
        return self._headers(
            canonical_response(status, request_nonce, timestamp, nonce, body), timestamp, nonce
        )


@dataclass(frozen=True)
class TrustedKey:
    """A public key the receiver trusts, whose it is, and the one algorithm it may sign with."""

    owner: str
    public_key: rsa.RSAPublicKey
    algorithm: secure.SignatureAlgorithm

    @property
    def key_id(self) -> str:
        return secure.key_id(self.public_key)


KeyResolver = Callable[[str], TrustedKey]
"""Finds the trusted key for a key id, or raises an ``UNKNOWN_KEY`` refusal."""


class PinnedKey:
    """A resolver that knows exactly one key: the merchant pins the gateway's key and algorithm."""

    def __init__(self, owner: str, public_key: rsa.RSAPublicKey, algorithm: secure.SignatureAlgorithm | str):
        self.trusted = TrustedKey(owner, public_key, secure.SignatureAlgorithm.parse(algorithm))
        self.key_id = self.trusted.key_id

    def __call__(self, key_id: str) -> TrustedKey:
        if key_id != self.key_id:
            raise PaymentError(
                ErrorCode.UNKNOWN_KEY, f"the message must be signed by the {self.trusted.owner}'s key"
            )
        return self.trusted


@dataclass(frozen=True)
class Verified:
    """A message whose signature checked out: who signed it, and its own nonce and timestamp."""

    owner: str
    key_id: str
    nonce: str
    timestamp: int


class MessageVerifier:
    """The one check of a received message: key, pinned algorithm, signature, window, nonce.

    ``verify_request`` and ``verify_response`` raise a :class:`PaymentError` refusal, checking in
    this order: well-formed headers, a known key id, that key's one algorithm, the signature over
    the canonical string of the exact bytes, the two-sided window. :meth:`remember` then records
    the nonce in a :class:`~paycore.payment.protocol.replay.NonceStore`, which the caller passes in
    so the nonce can share a database transaction with what the message asks for.
    """

    def __init__(self, keys: KeyResolver, clock: Clock, window: int = replay.WINDOW_SECONDS) -> None:
        self.keys = keys
        self.clock = clock
        self.window = window

    def verify_request(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Verified:
        """Check a signed request (or a notification, which is signed as a request)."""
        return self._verify(headers, lambda s: canonical_request(method, target, s.timestamp, s.nonce, body))

    def verify_response(
        self, status: int, request_nonce: str, headers: Mapping[str, str], body: bytes
    ) -> Verified:
        """Check a signed answer to the request that carried ``request_nonce``."""
        return self._verify(
            headers, lambda s: canonical_response(status, request_nonce, s.timestamp, s.nonce, body)
        )

    def _verify(self, headers: Mapping[str, str], canonical: Callable[[SignedHeaders], bytes]) -> Verified:
        signed = SignedHeaders.from_headers(headers)
        trusted = self.keys(signed.key_id)
        if signed.algorithm is not trusted.algorithm:
            raise PaymentError(
                ErrorCode.UNSUPPORTED_ALGORITHM,
                f"this key signs with {trusted.algorithm.value}, not {signed.algorithm.value}",
            )
        try:
            secure.verify(trusted.public_key, canonical(signed), signed.signature, signed.algorithm)
        except crypto_errors.InvalidSignature:
            raise PaymentError(ErrorCode.INVALID_SIGNATURE, "signature does not match the message") from None
        replay.check_timestamp(signed.timestamp, self.clock.now(), self.window)
        return Verified(trusted.owner, signed.key_id, signed.nonce, signed.timestamp)

    def remember(self, message: Verified, nonces: replay.NonceStore) -> None:
        """Record the message's nonce; a ``REPLAYED_NONCE`` refusal if it was used before."""
        replay.remember(
            nonces, message.key_id, message.nonce, message.timestamp, self.clock.now(), self.window
        )
