"""The hybrid envelope: any amount of data, encrypted with AES-256-GCM under a key wrapped by RSA-OAEP.

RSA-OAEP carries at most 190 bytes with a 2048-bit key and costs a private-key operation per
block, so real systems encrypt the data with a fresh symmetric key and RSA-encrypt only that
key. Every :func:`seal` makes a new 256-bit AES key and a 96-bit nonce from the OS CSPRNG.

Serialization ``paycore-envelope/1`` is a JSON object with exactly these members::

    {"alg": "RSA-OAEP-256",     # how the AES key is wrapped (OAEP, SHA-256, MGF1-SHA-256)
     "ct":  "<base64url>",      # AES-256-GCM ciphertext followed by its 16-byte tag
     "ek":  "<base64url>",      # the wrapped AES key, exactly k bytes
     "enc": "A256GCM",          # how the payload is encrypted
     "iv":  "<base64url>",      # the 12-byte GCM nonce
     "kid": "<64 hex digits>",  # key id (SHA-256 of the recipient's public key DER)
     "v":   1}                  # format version

base64url is RFC 4648 section 5 without padding. The *header* -- ``v``, ``alg``, ``enc`` and
``kid`` as canonical JSON (sorted keys, no spaces) -- is GCM associated data, followed by the
caller's own ``associated_data`` (for example an order number), so changing any byte of the
header, the wrapped key, the nonce or the ciphertext makes opening fail.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from paycore.errors import DecryptionError, EnvelopeFormatError
from paycore.secure.encryption import oaep_decrypt, oaep_encrypt
from paycore.secure.keys import key_id as compute_key_id

VERSION = 1
KEY_WRAP = "RSA-OAEP-256"
CONTENT_ENCRYPTION = "A256GCM"
NONCE_BYTES = 12
TAG_BYTES = 16
_FIELDS = frozenset({"v", "alg", "enc", "kid", "ek", "iv", "ct"})
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_KEY_ID = re.compile(r"[0-9a-f]{64}")
_OPEN_FAILED = "envelope could not be opened"


def b64url_encode(data: bytes) -> str:
    """RFC 4648 base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, field: str = "value") -> bytes:
    """Strict base64url: the URL-safe alphabet, no padding, and canonical (unused bits zero).

    Canonical matters: a lenient decoder maps several strings to the same bytes, so a changed
    character could go unnoticed.
    """
    problem = EnvelopeFormatError(f"envelope field {field!r} is not canonical unpadded base64url")
    if not isinstance(text, str) or not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise problem
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):  # pragma: no cover - the regex already excludes these
        raise problem from None
    if b64url_encode(data) != text:
        raise problem
    return data


@dataclass(frozen=True)
class Envelope:
    """A sealed message; :meth:`to_json` / :meth:`from_json` are the wire format."""

    kid: str
    encrypted_key: bytes
    iv: bytes
    ciphertext: bytes
    version: int = VERSION
    alg: str = KEY_WRAP
    enc: str = CONTENT_ENCRYPTION

    def header_bytes(self) -> bytes:
        """The canonical header that GCM authenticates."""
        header = {"alg": self.alg, "enc": self.enc, "kid": self.kid, "v": self.version}
        return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii")

    def to_dict(self) -> dict:
        """The JSON object, ready to embed in a larger message."""
        return {
            "alg": self.alg,
            "ct": b64url_encode(self.ciphertext),
            "ek": b64url_encode(self.encrypted_key),
            "enc": self.enc,
            "iv": b64url_encode(self.iv),
            "kid": self.kid,
            "v": self.version,
        }

    def to_json(self) -> bytes:
        """Canonical JSON bytes (sorted keys, no spaces)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode("ascii")

    @classmethod
    def from_dict(cls, data: object) -> Envelope:
        """Parse and validate the JSON object; every problem is an :class:`EnvelopeFormatError`."""
        if not isinstance(data, dict):
            raise EnvelopeFormatError("an envelope must be a JSON object")
        if set(data) != _FIELDS:
            missing, extra = sorted(_FIELDS - set(data)), sorted(set(data) - _FIELDS)
            raise EnvelopeFormatError(f"envelope fields wrong: missing {missing}, unexpected {extra}")
        if data["v"] != VERSION or isinstance(data["v"], bool):
            raise EnvelopeFormatError(
                f"unsupported envelope version {data['v']!r}; this is version {VERSION}"
            )
        if data["alg"] != KEY_WRAP or data["enc"] != CONTENT_ENCRYPTION:
            raise EnvelopeFormatError(
                f"unsupported envelope algorithms alg={data['alg']!r}, enc={data['enc']!r}; "
                f"expected {KEY_WRAP} and {CONTENT_ENCRYPTION}"
            )
        if not isinstance(data["kid"], str) or not _KEY_ID.fullmatch(data["kid"]):
            raise EnvelopeFormatError("envelope kid must be 64 lowercase hex digits")
        iv = b64url_decode(data["iv"], "iv")
        if len(iv) != NONCE_BYTES:
            raise EnvelopeFormatError(f"envelope iv must be {NONCE_BYTES} bytes, got {len(iv)}")
        ciphertext = b64url_decode(data["ct"], "ct")
        if len(ciphertext) < TAG_BYTES:
            raise EnvelopeFormatError("envelope ct is shorter than the GCM tag")
        return cls(
            kid=data["kid"], encrypted_key=b64url_decode(data["ek"], "ek"), iv=iv, ciphertext=ciphertext
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Envelope:
        """Parse the wire format."""
        if not isinstance(data, (bytes, str)):
            raise TypeError(f"envelope JSON must be bytes or str, got {type(data).__name__}")
        try:
            parsed = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise EnvelopeFormatError("envelope is not valid JSON") from None
        return cls.from_dict(parsed)


@functools.lru_cache(maxsize=64)
def _aad_prefix(version: int, alg: str, enc: str, kid: str) -> bytes:
    """The length-prefixed canonical header, the fixed start of the associated data (cached per key)."""
    header = json.dumps(
        {"alg": alg, "enc": enc, "kid": kid, "v": version}, sort_keys=True, separators=(",", ":")
    ).encode("ascii")
    return len(header).to_bytes(4, "big") + header


def _aad(envelope: Envelope, associated_data: bytes) -> bytes:
    return _aad_prefix(envelope.version, envelope.alg, envelope.enc, envelope.kid) + associated_data


def seal(
    public_key: rsa.RSAPublicKey, plaintext: bytes, *, associated_data: bytes = b"", key_id: str | None = None
) -> Envelope:
    """Encrypt ``plaintext`` of any size to ``public_key``.

    ``associated_data`` is authenticated but not encrypted or stored: the recipient must pass
    the same bytes to :func:`open_envelope`. ``key_id`` may be given to skip recomputing it.
    """
    if not isinstance(plaintext, bytes) or not isinstance(associated_data, bytes):
        raise TypeError("plaintext and associated_data must be bytes")
    kid = key_id if key_id is not None else compute_key_id(public_key)
    content_key = os.urandom(32)  # a fresh AES-256 key for this message only
    iv = os.urandom(NONCE_BYTES)
    encrypted_key = oaep_encrypt(public_key, content_key)
    aad = _aad_prefix(VERSION, KEY_WRAP, CONTENT_ENCRYPTION, kid) + associated_data
    return Envelope(
        kid=kid,
        encrypted_key=encrypted_key,
        iv=iv,
        ciphertext=AESGCM(content_key).encrypt(iv, plaintext, aad),
    )


def open_envelope(
    private_key: rsa.RSAPrivateKey,
    envelope: Envelope | bytes | str | dict,
    *,
    associated_data: bytes = b"",
    expected_key_id: str | None = None,
) -> bytes:
    """Check, unwrap and decrypt; return the plaintext.

    Malformed input raises :class:`EnvelopeFormatError` (saying what is wrong); an envelope
    for another key, or one whose key, nonce, header or ciphertext was changed, raises a
    :class:`DecryptionError` with one uniform message.
    """
    if not isinstance(associated_data, bytes):
        raise TypeError("associated_data must be bytes")
    if isinstance(envelope, dict):
        envelope = Envelope.from_dict(envelope)
    elif isinstance(envelope, (bytes, str)):
        envelope = Envelope.from_json(envelope)
    elif not isinstance(envelope, Envelope):
        raise TypeError(f"expected an Envelope, its JSON or its dict, got {type(envelope).__name__}")
    own_kid = expected_key_id if expected_key_id is not None else compute_key_id(private_key)
    if envelope.kid != own_kid:
        raise EnvelopeFormatError(
            f"envelope is for key {envelope.kid[:16]}..., not this key {own_kid[:16]}..."
        )
    try:
        content_key = oaep_decrypt(private_key, envelope.encrypted_key)
        if len(content_key) != 32:
            raise DecryptionError(_OPEN_FAILED)
        return AESGCM(content_key).decrypt(envelope.iv, envelope.ciphertext, _aad(envelope, associated_data))
    except (DecryptionError, InvalidTag):
        raise DecryptionError(_OPEN_FAILED) from None
