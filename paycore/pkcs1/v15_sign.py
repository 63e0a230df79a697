"""RSASSA-PKCS1-v1_5 (RFC 8017, sections 8.2 and 9.2): deterministic signatures, still everywhere.

TEACHING CODE: part of :mod:`paycore.pkcs1`; never protects real payments (pure Python cannot
run in constant time).

    EM = 0x00 || 0x01 || PS (0xff bytes, at least 8) || 0x00 || DigestInfo(Hash(M))

No randomness: the same message and key always give the same signature. It has no security
proof like PSS's, but no practical attack on a correct implementation either, and payment
platforms use it widely (Alipay's and WeChat Pay's "RSA2" is this scheme with SHA-256).

The famous forgeries (Bleichenbacher 2006 with e = 3, BERserk 2014) attacked verifiers that
*parsed* EM and forgot to check that nothing followed the digest. RFC 8017 recommends the
simpler way used here: build the expected EM from the message and compare it with the one
recovered from the signature, byte for byte.
"""

from __future__ import annotations

import hmac

from paycore.errors import InvalidSignature
from paycore.pkcs1._blocks import SIGNATURE_INVALID, rsa_open_signature, rsa_sign_block
from paycore.pkcs1._checks import require_bytes, require_count, require_private_key, require_public_key
from paycore.pkcs1.hashes import lookup_hash
from paycore.textbook import RSAPrivateKey, RSAPublicKey


def emsa_pkcs1v15_encode(message: bytes, em_len: int, *, hash: str = "sha256") -> bytes:
    """EMSA-PKCS1-v1_5 encoding: ``00 01 ff..ff 00 || DigestInfo prefix || Hash(message)``."""
    message = require_bytes("message", message)
    em_len = require_count("em_len", em_len)
    algorithm = lookup_hash(hash)
    algorithm.check_input_length(len(message), "message")
    t = algorithm.digest_info_prefix + algorithm.digest(message)
    if em_len < len(t) + 11:
        raise ValueError(
            f"key too small for PKCS#1 v1.5 signatures with {algorithm.name}: EM needs "
            f"len(DigestInfo) + 11 = {len(t) + 11} bytes, the key gives {em_len}"
        )
    return b"\x00\x01" + b"\xff" * (em_len - len(t) - 3) + b"\x00" + t


def pkcs1v15_sign(private_key: RSAPrivateKey, message: bytes, *, hash: str = "sha256") -> bytes:
    """RSASSA-PKCS1-V1_5-SIGN: the k-byte signature ``EM^d mod n`` (the same every time)."""
    private_key = require_private_key(private_key, "pkcs1v15_sign")
    em = emsa_pkcs1v15_encode(message, private_key.byte_length, hash=hash)
    return rsa_sign_block(private_key, em)


def pkcs1v15_verify(
    public_key: RSAPublicKey, message: bytes, signature: bytes, *, hash: str = "sha256"
) -> None:
    """RSASSA-PKCS1-V1_5-VERIFY: return ``None`` or raise :class:`~paycore.errors.InvalidSignature`.

    Re-encodes the message and compares whole blocks: no parsing, so nothing can hide after
    the digest.
    """
    public_key = require_public_key(public_key, "pkcs1v15_verify")
    signature = require_bytes("signature", signature)
    k = public_key.byte_length
    expected = emsa_pkcs1v15_encode(message, k, hash=hash)
    recovered = rsa_open_signature(public_key, signature, k)
    if not hmac.compare_digest(recovered, expected):
        raise InvalidSignature(SIGNATURE_INVALID)
