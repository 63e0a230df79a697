"""RSA on byte blocks, randomness and XOR: the glue every padding shares (internal).

TEACHING CODE: part of :mod:`paycore.pkcs1`; never protects real payments (pure Python cannot
run in constant time: ``pow``, big-integer comparisons and every ``if`` below take time that
depends on the data).

RFC 8017 builds each scheme from the same parts: encode -> OS2IP -> RSA -> I2OSP. The RSA step
is :mod:`paycore.textbook`'s; this module only adds the byte-length and range checks that
turn "this is not a ciphertext for this key" into the one uniform error.
"""

from __future__ import annotations

import secrets

from paycore.errors import DecryptionError, InvalidSignature
from paycore.textbook import RSAPrivateKey, RSAPublicKey, decrypt_int, encrypt_int, i2osp, os2ip, sign_int
from paycore.textbook.randomness import RandomSource, resolve_rng

DECRYPTION_FAILED = "decryption failed (wrong key, label or hash, or a corrupted ciphertext)"
"""The one message of every :class:`~paycore.errors.DecryptionError` raised by paycore.pkcs1."""

SIGNATURE_INVALID = "signature does not match the message"
"""The one message of every :class:`~paycore.errors.InvalidSignature` raised by paycore.pkcs1."""


def rsa_encrypt_block(public_key: RSAPublicKey, em: bytes) -> bytes:
    """RSAEP on bytes: ``I2OSP(OS2IP(em)^e mod n, k)``."""
    return i2osp(encrypt_int(public_key, os2ip(em)), public_key.byte_length)


def rsa_decrypt_block(private_key: RSAPrivateKey, ciphertext: bytes) -> bytes:
    """RSADP on bytes, or :class:`DecryptionError` if ``ciphertext`` is not k bytes below n.

    A wrong length or a value >= n is public knowledge (the attacker chose it), so refusing
    it at once reveals nothing -- but it still gets the same message as every other failure.
    """
    k = private_key.byte_length
    if len(ciphertext) != k:
        raise DecryptionError(DECRYPTION_FAILED)
    c = os2ip(ciphertext)
    if c >= private_key.n:
        raise DecryptionError(DECRYPTION_FAILED)
    return i2osp(decrypt_int(private_key, c), k)


def rsa_sign_block(private_key: RSAPrivateKey, em: bytes) -> bytes:
    """RSASP1 on bytes: ``I2OSP(OS2IP(em)^d mod n, k)``."""
    return i2osp(sign_int(private_key, os2ip(em)), private_key.byte_length)


def rsa_open_signature(public_key: RSAPublicKey, signature: bytes, em_len: int) -> bytes:
    """RSAVP1 on bytes: ``s^e mod n`` as ``em_len`` bytes, or :class:`InvalidSignature`.

    RSAVP1 is the same exponentiation as RSAEP; the signature must be exactly k bytes, below n,
    and its image must fit in ``em_len`` bytes.
    """
    if len(signature) != public_key.byte_length:
        raise InvalidSignature(SIGNATURE_INVALID)
    s = os2ip(signature)
    if s >= public_key.n:
        raise InvalidSignature(SIGNATURE_INVALID)
    m = encrypt_int(public_key, s)
    if m >> (8 * em_len):
        raise InvalidSignature(SIGNATURE_INVALID)
    return i2osp(m, em_len)


def check_rng(rng: RandomSource | None) -> None:
    """Refuse an ``rng`` that is not ``None`` or ``random.Random``-like, before any work."""
    if rng is not None:
        resolve_rng(rng)


def random_bytes(length: int, rng: RandomSource | None) -> bytes:
    """``length`` random bytes: from the OS (``secrets``) when ``rng`` is None.

    With an ``rng`` (such as ``teaching_rng(seed)``) the bytes are ``rng.getrandbits(8 * length)``
    written big-endian, so a notebook can reproduce them -- and so can anyone who knows the seed.
    """
    if rng is None:
        return secrets.token_bytes(length)
    source = resolve_rng(rng)
    return source.getrandbits(8 * length).to_bytes(length, "big") if length else b""


def random_nonzero_bytes(length: int, rng: RandomSource | None) -> bytes:
    """``length`` random bytes none of which is 0x00 (PKCS#1 v1.5 padding); zeros are redrawn."""
    out = bytearray(random_bytes(length, rng))
    for index in range(length):
        while out[index] == 0:
            out[index] = random_bytes(1, rng)[0]
    return bytes(out)


def xor(a: bytes, b: bytes) -> bytes:
    """Bytewise XOR of two strings of equal length."""
    if len(a) != len(b):
        raise ValueError("xor needs two strings of the same length")
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")
