"""RSAES-PKCS1-v1_5 (RFC 8017, section 7.2): the old encryption padding, kept for the attack lab.

TEACHING CODE: part of :mod:`paycore.pkcs1`; never protects real payments (pure Python cannot
run in constant time). RFC 8017 itself says not to use this scheme for new applications.

    EM = 0x00 || 0x02 || PS || 0x00 || M        PS: at least 8 random *non-zero* bytes

It is randomised (PS), so the dictionary attack on amounts fails, but its structure is weak:
only the first two bytes are fixed, so about one random number in 2^16 "decrypts" far enough
to look well formed. Bleichenbacher (1998) showed that a server which merely *reveals* whether
the padding was valid lets an attacker decrypt any ciphertext with some thousands to millions
of queries. A uniform error does not help here -- "error" versus "no error" is already the
oracle -- so modern libraries (OpenSSL 3.2+, hence ``cryptography``) use *implicit rejection*:
on bad padding they return a deterministic random-looking message instead of failing.

This module raises :class:`~paycore.errors.DecryptionError` on bad padding, on purpose: it is
the target the attack lab runs Bleichenbacher's attack against. Use OAEP for anything new.
"""

from __future__ import annotations

from paycore.errors import DecryptionError
from paycore.pkcs1._blocks import (
    DECRYPTION_FAILED,
    check_rng,
    random_nonzero_bytes,
    rsa_decrypt_block,
    rsa_encrypt_block,
)
from paycore.pkcs1._checks import require_bytes, require_count, require_private_key, require_public_key
from paycore.textbook import RSAPrivateKey, RSAPublicKey
from paycore.textbook.randomness import RandomSource

MIN_PADDING = 8
"""PS has at least 8 bytes, so a short message still gets 2^64-odd possible blocks."""


def _check_sizes(message_length: int, k: int) -> None:
    if k < MIN_PADDING + 3:
        raise ValueError(f"key too small for PKCS#1 v1.5: needs k >= 11 bytes, the modulus has {k}")
    if message_length > k - MIN_PADDING - 3:
        raise ValueError(
            f"message too long: PKCS#1 v1.5 with a {k}-byte key carries at most {k - 11} bytes, "
            f"got {message_length}; encrypt a symmetric key instead (an envelope)"
        )


def eme_pkcs1v15_encode(message: bytes, k: int, *, ps: bytes) -> bytes:
    """EME-PKCS1-v1_5 encoding with given padding ``ps`` (``k - len(message) - 3`` non-zero bytes)."""
    message = require_bytes("message", message)
    ps = require_bytes("ps", ps)
    _check_sizes(len(message), require_count("k", k))
    if len(ps) != k - len(message) - 3:
        raise ValueError(f"ps must be k - len(message) - 3 = {k - len(message) - 3} bytes, got {len(ps)}")
    if 0 in ps:
        raise ValueError("ps must not contain 0x00: the first zero byte marks where the message starts")
    return b"\x00\x02" + ps + b"\x00" + message


def eme_pkcs1v15_decode(em: bytes, k: int) -> bytes:
    """EME-PKCS1-v1_5 decoding: the message, or :class:`~paycore.errors.DecryptionError`.

    Checks ``0x00 0x02``, a zero byte after the padding, and at least 8 bytes of padding --
    looking at every byte and raising one error at the end (not constant-time: Python).
    """
    em = require_bytes("em", em)
    _check_sizes(0, require_count("k", k))
    if len(em) != k:
        raise DecryptionError(DECRYPTION_FAILED)
    good = (em[0] == 0x00) & (em[1] == 0x02)
    separator, looking = 0, True
    for index in range(2, k):  # no break: every byte is looked at
        if looking and em[index] == 0x00:
            separator = index
        looking &= em[index] != 0x00
    good &= not looking
    good &= separator - 2 >= MIN_PADDING
    if not good:
        raise DecryptionError(DECRYPTION_FAILED)
    return em[separator + 1 :]


def pkcs1v15_encrypt(public_key: RSAPublicKey, message: bytes, *, rng: RandomSource | None = None) -> bytes:
    """RSAES-PKCS1-V1_5-ENCRYPT: a k-byte ciphertext with fresh non-zero random padding.

    ``rng=None`` draws the padding from the OS; ``teaching_rng(seed)`` makes it reproducible.
    """
    public_key = require_public_key(public_key, "pkcs1v15_encrypt")
    message = require_bytes("message", message)
    check_rng(rng)
    k = public_key.byte_length
    _check_sizes(len(message), k)
    ps = random_nonzero_bytes(k - len(message) - 3, rng)
    return rsa_encrypt_block(public_key, eme_pkcs1v15_encode(message, k, ps=ps))


def pkcs1v15_decrypt(private_key: RSAPrivateKey, ciphertext: bytes) -> bytes:
    """RSAES-PKCS1-V1_5-DECRYPT: the message, or :class:`~paycore.errors.DecryptionError`.

    The error itself is a Bleichenbacher oracle (see the module docstring); it is uniform so
    that it leaks no *more* than that.
    """
    private_key = require_private_key(private_key, "pkcs1v15_decrypt")
    ciphertext = require_bytes("ciphertext", ciphertext)
    k = private_key.byte_length
    _check_sizes(0, k)
    return eme_pkcs1v15_decode(rsa_decrypt_block(private_key, ciphertext), k)
