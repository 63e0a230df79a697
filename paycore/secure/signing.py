"""Signatures: RSA-PSS-SHA256 by default, PKCS#1 v1.5-SHA256 ("RSA2") for gateway compatibility.

A signature proves who wrote a message: only the private key makes it, anyone with the public
key checks it. The seed article's flow (3.3 to 3.6) needs one on every request, response and
notification, because encryption alone proves nothing about the sender.

PSS is randomised and has a security proof; PKCS#1 v1.5 signatures are deterministic and still
what Alipay ("RSA2") and WeChat Pay use, so paycore speaks both. PSS here uses a salt as long as
the hash (32 bytes), the common choice that every library verifies.

:func:`verify` returns ``None`` or raises :class:`~paycore.errors.InvalidSignature`, as pyca's
does: there is no boolean to forget to check.
"""

from __future__ import annotations

import enum

from cryptography.exceptions import InvalidSignature as _CryptographyInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from paycore.errors import InvalidSignature
from paycore.secure.keys import require_key_size


class SignatureAlgorithm(str, enum.Enum):
    """The signature schemes paycore accepts, by the names that travel in headers."""

    PSS_SHA256 = "RSA-PSS-SHA256"
    PKCS1V15_SHA256 = "RSA-PKCS1v15-SHA256"

    @classmethod
    def parse(cls, value: SignatureAlgorithm | str) -> SignatureAlgorithm:
        """Accept an enum member, its header name, or ``"RSA2"`` (Alipay's name for PKCS#1 v1.5-SHA256).

        >>> SignatureAlgorithm.parse("RSA2") is SignatureAlgorithm.PKCS1V15_SHA256
        True
        """
        if value == "RSA2":
            return cls.PKCS1V15_SHA256
        try:
            return cls(value)
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise ValueError(f"unknown signature algorithm {value!r}; use one of: {known}") from None

    def padding(self) -> padding.AsymmetricPadding:
        """The ``cryptography`` padding object for this scheme."""
        if self is SignatureAlgorithm.PSS_SHA256:
            return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
        return padding.PKCS1v15()


def sign(
    private_key: rsa.RSAPrivateKey,
    data: bytes,
    algorithm: SignatureAlgorithm | str = SignatureAlgorithm.PSS_SHA256,
) -> bytes:
    """Sign ``data`` (the exact bytes that will be sent) with the sender's private key."""
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError(
            f"sign needs an RSA private key, got {type(private_key).__name__} (sign with *your own* "
            "private key)"
        )
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    require_key_size(private_key)
    scheme = SignatureAlgorithm.parse(algorithm)
    return private_key.sign(data, scheme.padding(), hashes.SHA256())


def verify(
    public_key: rsa.RSAPublicKey,
    data: bytes,
    signature: bytes,
    algorithm: SignatureAlgorithm | str = SignatureAlgorithm.PSS_SHA256,
) -> None:
    """Check ``signature`` over ``data`` with the sender's public key; raise if it does not match."""
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise TypeError(f"verify needs an RSA public key, got {type(public_key).__name__}")
    if not isinstance(data, bytes) or not isinstance(signature, bytes):
        raise TypeError("data and signature must be bytes")
    require_key_size(public_key)
    scheme = SignatureAlgorithm.parse(algorithm)
    try:
        public_key.verify(signature, data, scheme.padding(), hashes.SHA256())
    except _CryptographyInvalidSignature:
        raise InvalidSignature("signature does not match the message") from None
