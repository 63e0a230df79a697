"""RSASSA-PSS (RFC 8017, sections 8.1 and 9.1): randomised signatures with a security proof.

TEACHING CODE: part of :mod:`paycore.pkcs1`. Byte-for-byte RFC 8017 and interoperable with
OpenSSL, but pure Python cannot run in constant time; never protect real payments with it
(:mod:`paycore.secure` uses pyca/cryptography).

A raw RSA signature ``S = M^d mod n`` is forgeable (``S1 * S2`` signs ``M1 * M2``). PSS signs a
block built from the message hash and a random ``salt`` instead:

    M'       = 00 00 00 00 00 00 00 00 || Hash(M) || salt
    H        = Hash(M')
    DB       = PS (zeros) || 0x01 || salt
    EM       = maskedDB || H || 0xbc                maskedDB = DB xor MGF1(H, len(DB))

**emBits = modBits - 1.** EM is one bit shorter than the modulus, so as an integer it is always
below n; the leftmost ``8*emLen - emBits`` bits of maskedDB are set to zero to make that true.
When ``modBits - 1`` is a multiple of 8, EM is one whole byte shorter than the signature.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from paycore.errors import InvalidSignature
from paycore.pkcs1._blocks import (
    SIGNATURE_INVALID,
    check_rng,
    random_bytes,
    rsa_open_signature,
    rsa_sign_block,
    xor,
)
from paycore.pkcs1._checks import require_bytes, require_count, require_private_key, require_public_key
from paycore.pkcs1.hashes import HashAlgorithm, lookup_hash
from paycore.pkcs1.mgf import mgf1
from paycore.textbook import RSAPrivateKey, RSAPublicKey
from paycore.textbook.randomness import RandomSource


@dataclass(frozen=True)
class PSSEncoding:
    """Every value of EMSA-PSS encoding (RFC 8017, 9.1.1), in order, named as the RFC does."""

    m_hash: bytes
    salt: bytes
    m_prime: bytes
    h: bytes
    ps: bytes
    db: bytes
    db_mask: bytes
    masked_db: bytes
    em: bytes


def _parameters(
    message: bytes, em_bits: int, hash: str, salt_length: int | None
) -> tuple[HashAlgorithm, int]:
    """Check the options and sizes (never the signature) and return (Hash, sLen)."""
    algorithm = lookup_hash(hash)
    algorithm.check_input_length(len(message), "message")
    s_len = algorithm.digest_size if salt_length is None else require_count("salt_length", salt_length)
    em_len = -(-require_count("em_bits", em_bits) // 8)
    if em_len < algorithm.digest_size + s_len + 2:
        raise ValueError(
            f"key too small for PSS with {algorithm.name} and a {s_len}-byte salt: EM needs "
            f"hLen + sLen + 2 = {algorithm.digest_size + s_len + 2} bytes, emBits = {em_bits} gives {em_len}"
        )
    return algorithm, s_len


def emsa_pss_encode_steps(message: bytes, em_bits: int, *, hash: str = "sha256", salt: bytes) -> PSSEncoding:
    """EMSA-PSS encoding of ``message`` with a given ``salt``, keeping every intermediate value."""
    message = require_bytes("message", message)
    salt = require_bytes("salt", salt)
    algorithm, _ = _parameters(message, em_bits, hash, len(salt))
    h_len, em_len = algorithm.digest_size, -(-em_bits // 8)
    m_hash = algorithm.digest(message)
    m_prime = bytes(8) + m_hash + salt
    h = algorithm.digest(m_prime)
    ps = bytes(em_len - len(salt) - h_len - 2)
    db = ps + b"\x01" + salt
    db_mask = mgf1(h, em_len - h_len - 1, hash=algorithm.name)
    masked_db = _clear_top_bits(xor(db, db_mask), 8 * em_len - em_bits)
    em = masked_db + h + b"\xbc"
    return PSSEncoding(m_hash, salt, m_prime, h, ps, db, db_mask, masked_db, em)


def emsa_pss_encode(message: bytes, em_bits: int, *, hash: str = "sha256", salt: bytes) -> bytes:
    """EMSA-PSS encoding: ``EM = maskedDB || H || 0xbc``, ``ceil(em_bits / 8)`` bytes."""
    return emsa_pss_encode_steps(message, em_bits, hash=hash, salt=salt).em


def _clear_top_bits(block: bytes, count: int) -> bytes:
    return bytes([block[0] & (0xFF >> count)]) + block[1:]


def emsa_pss_verify(
    message: bytes, em: bytes, em_bits: int, *, hash: str = "sha256", salt_length: int | None = None
) -> None:
    """EMSA-PSS verification: return ``None`` if ``em`` encodes ``message``, else raise InvalidSignature.

    The checks follow RFC 8017 9.1.2 (``0xbc``, the zero top bits, ``PS || 0x01``, and finally
    ``H == Hash(M')``) and, as in the decryption schemes, all of them run before one error.
    """
    message = require_bytes("message", message)
    em = require_bytes("em", em)
    algorithm, s_len = _parameters(message, em_bits, hash, salt_length)
    _verify(message, em, em_bits, algorithm, s_len)


def _verify(message: bytes, em: bytes, em_bits: int, algorithm: HashAlgorithm, s_len: int) -> None:
    h_len, em_len = algorithm.digest_size, -(-em_bits // 8)
    top_bits = 8 * em_len - em_bits
    if len(em) != em_len:
        raise InvalidSignature(SIGNATURE_INVALID)
    masked_db, h = em[: em_len - h_len - 1], em[em_len - h_len - 1 : -1]
    good = em[-1] == 0xBC
    good &= (masked_db[0] & ~(0xFF >> top_bits)) == 0  # the bits above emBits must be zero
    db = _clear_top_bits(xor(masked_db, mgf1(h, em_len - h_len - 1, hash=algorithm.name)), top_bits)
    zeros = em_len - h_len - s_len - 2
    good &= not any(db[:zeros])
    good &= db[zeros] == 0x01
    salt = db[len(db) - s_len :]
    h_prime = algorithm.digest(bytes(8) + algorithm.digest(message) + salt)
    good &= hmac.compare_digest(h, h_prime)
    if not good:
        raise InvalidSignature(SIGNATURE_INVALID)


def pss_sign(
    private_key: RSAPrivateKey,
    message: bytes,
    *,
    hash: str = "sha256",
    salt_length: int | None = None,
    rng: RandomSource | None = None,
) -> bytes:
    """RSASSA-PSS-SIGN: a k-byte signature, different every time (the salt is random).

    ``salt_length=None`` means hLen, the usual choice (32 bytes for SHA-256). ``rng=None``
    draws the salt from the OS; ``teaching_rng(seed)`` makes it reproducible.
    """
    private_key = require_private_key(private_key, "pss_sign")
    message = require_bytes("message", message)
    check_rng(rng)
    em_bits = private_key.bits - 1
    algorithm, s_len = _parameters(message, em_bits, hash, salt_length)
    salt = random_bytes(s_len, rng)
    return rsa_sign_block(private_key, emsa_pss_encode(message, em_bits, hash=algorithm.name, salt=salt))


def pss_verify(
    public_key: RSAPublicKey,
    message: bytes,
    signature: bytes,
    *,
    hash: str = "sha256",
    salt_length: int | None = None,
) -> None:
    """RSASSA-PSS-VERIFY: return ``None`` or raise :class:`~paycore.errors.InvalidSignature`.

    The verifier must know the salt length the signer used (``None`` means hLen); a signer
    that used the maximum (``cryptography``'s ``PSS.MAX_LENGTH``) needs ``emLen - hLen - 2``.
    """
    public_key = require_public_key(public_key, "pss_verify")
    message = require_bytes("message", message)
    signature = require_bytes("signature", signature)
    em_bits = public_key.bits - 1
    algorithm, s_len = _parameters(message, em_bits, hash, salt_length)
    em = rsa_open_signature(public_key, signature, -(-em_bits // 8))
    _verify(message, em, em_bits, algorithm, s_len)
