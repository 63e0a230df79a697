"""RSAES-OAEP (RFC 8017, section 7.1): randomised, checkable RSA encryption.

TEACHING CODE: part of :mod:`paycore.pkcs1`. Byte-for-byte RFC 8017 and interoperable with
OpenSSL, but pure Python cannot run in constant time, so the decoder's timing leaks; never
protect real payments with it (:mod:`paycore.secure` uses pyca/cryptography).

Textbook RSA encrypts the same amount to the same ciphertext. OAEP first builds a k-byte block

    DB = lHash || PS (zeros) || 0x01 || M           lHash = Hash(label)
    EM = 0x00 || maskedSeed || maskedDB             maskedDB   = DB   xor MGF1(seed, len(DB))
                                                    maskedSeed = seed xor MGF1(maskedDB, hLen)

with a fresh random ``seed``, then encrypts it. Every bit of EM depends on the seed, so the
same message gives a new ciphertext each time, and the receiver can check the structure
(``Y = 0``, ``lHash``, ``0x01``) to reject anything that was not made by a real encryption.
Those checks must fail *alike*: see :func:`oaep_decode`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from paycore.errors import DecryptionError
from paycore.pkcs1._blocks import (
    DECRYPTION_FAILED,
    check_rng,
    random_bytes,
    rsa_decrypt_block,
    rsa_encrypt_block,
    xor,
)
from paycore.pkcs1._checks import require_bytes, require_count, require_private_key, require_public_key
from paycore.pkcs1.hashes import HashAlgorithm, lookup_hash
from paycore.pkcs1.mgf import mgf1
from paycore.textbook import RSAPrivateKey, RSAPublicKey
from paycore.textbook.randomness import RandomSource


@dataclass(frozen=True)
class OAEPEncoding:
    """Every value of EME-OAEP encoding (RFC 8017, 7.1.1 step 2), in order, named as the RFC does."""

    l_hash: bytes
    ps: bytes
    db: bytes
    seed: bytes
    db_mask: bytes
    masked_db: bytes
    seed_mask: bytes
    masked_seed: bytes
    em: bytes


def _parameters(
    k: int, hash: str, mgf_hash: str | None, label: bytes | None
) -> tuple[HashAlgorithm, str, bytes]:
    """Check the options (never the secret data) and return (Hash, MGF hash name, label)."""
    algorithm = lookup_hash(hash)
    mgf_name = lookup_hash(algorithm.name if mgf_hash is None else mgf_hash).name
    label = b"" if label is None else require_bytes("label", label)
    algorithm.check_input_length(len(label), "label")
    h_len = algorithm.digest_size
    if k < 2 * h_len + 2:
        raise ValueError(
            f"key too small for OAEP with {algorithm.name}: needs k >= 2*hLen + 2 = {2 * h_len + 2} "
            f"bytes, the modulus has {k}; use a bigger key or a shorter hash"
        )
    return algorithm, mgf_name, label


def _check_fits(message: bytes, k: int, algorithm: HashAlgorithm) -> None:
    room = k - 2 * algorithm.digest_size - 2
    if len(message) > room:
        raise ValueError(
            f"message too long: OAEP with {algorithm.name} and a {k}-byte key carries at most "
            f"{room} bytes, got {len(message)}; encrypt a symmetric key instead (an envelope)"
        )


def oaep_max_message_length(k: int, *, hash: str = "sha256") -> int:
    """The longest message OAEP fits in a k-byte modulus: ``k - 2*hLen - 2`` (190 for RSA-2048/SHA-256).

    >>> oaep_max_message_length(256), oaep_max_message_length(256, hash="sha1")
    (190, 214)
    """
    algorithm, _, _ = _parameters(require_count("k", k), hash, None, b"")
    return k - 2 * algorithm.digest_size - 2


def oaep_encode_steps(
    message: bytes,
    k: int,
    *,
    hash: str = "sha256",
    mgf_hash: str | None = None,
    label: bytes | None = b"",
    seed: bytes,
) -> OAEPEncoding:
    """EME-OAEP encoding with a given ``seed`` (hLen bytes), keeping every intermediate value."""
    message = require_bytes("message", message)
    algorithm, mgf_name, label = _parameters(require_count("k", k), hash, mgf_hash, label)
    seed = require_bytes("seed", seed)
    h_len = algorithm.digest_size
    _check_fits(message, k, algorithm)
    if len(seed) != h_len:
        raise ValueError(f"seed must be hLen = {h_len} bytes for {algorithm.name}, got {len(seed)}")
    l_hash = algorithm.digest(label)
    ps = bytes(k - len(message) - 2 * h_len - 2)
    db = l_hash + ps + b"\x01" + message
    db_mask = mgf1(seed, k - h_len - 1, hash=mgf_name)
    masked_db = xor(db, db_mask)
    seed_mask = mgf1(masked_db, h_len, hash=mgf_name)
    masked_seed = xor(seed, seed_mask)
    em = b"\x00" + masked_seed + masked_db
    return OAEPEncoding(l_hash, ps, db, seed, db_mask, masked_db, seed_mask, masked_seed, em)


def oaep_encode(
    message: bytes,
    k: int,
    *,
    hash: str = "sha256",
    mgf_hash: str | None = None,
    label: bytes | None = b"",
    seed: bytes,
) -> bytes:
    """EME-OAEP encoding: the k-byte block ``EM = 0x00 || maskedSeed || maskedDB``."""
    return oaep_encode_steps(message, k, hash=hash, mgf_hash=mgf_hash, label=label, seed=seed).em


def oaep_decode(
    em: bytes, k: int, *, hash: str = "sha256", mgf_hash: str | None = None, label: bytes | None = b""
) -> bytes:
    """EME-OAEP decoding: the message inside ``em``, or :class:`~paycore.errors.DecryptionError`.

    Three checks, one error. ``Y = 0`` says the number was below 2^(8(k-1)); ``lHash`` says
    the right label and key were used and nothing was altered; ``PS || 0x01`` says where the
    message starts. If an attacker could tell *which* check failed -- by the message, the
    exception type or the time taken -- each answer would leak a little about the plaintext
    (Manger's attack needs only "was Y zero?"). So every byte is examined, the results are
    combined, and one error is raised at the end. Python still branches and its big integers
    still take data-dependent time: this shows the idea, it is not constant-time.
    """
    em = require_bytes("em", em)
    algorithm, mgf_name, label = _parameters(require_count("k", k), hash, mgf_hash, label)
    return _decode(em, k, algorithm, mgf_name, label)


def _decode(em: bytes, k: int, algorithm: HashAlgorithm, mgf_name: str, label: bytes) -> bytes:
    h_len = algorithm.digest_size
    if len(em) != k:
        raise DecryptionError(DECRYPTION_FAILED)
    y, masked_seed, masked_db = em[0], em[1 : 1 + h_len], em[1 + h_len :]
    seed = xor(masked_seed, mgf1(masked_db, h_len, hash=mgf_name))
    db = xor(masked_db, mgf1(seed, k - h_len - 1, hash=mgf_name))
    good = hmac.compare_digest(db[:h_len], algorithm.digest(label))
    good &= y == 0
    separator, looking = 0, True
    for index in range(h_len, len(db)):  # no break: every byte is looked at
        byte = db[index]
        if looking and byte == 0x01:
            separator = index
        good &= not (looking and byte > 0x01)
        looking &= byte == 0x00
    good &= not looking
    if not good:
        raise DecryptionError(DECRYPTION_FAILED)
    return db[separator + 1 :]


def oaep_encrypt(
    public_key: RSAPublicKey,
    message: bytes,
    *,
    hash: str = "sha256",
    mgf_hash: str | None = None,
    label: bytes | None = b"",
    rng: RandomSource | None = None,
) -> bytes:
    """RSAES-OAEP-ENCRYPT: a k-byte ciphertext of ``message``, new every time.

    ``mgf_hash=None`` uses ``hash`` for MGF1 too (as OpenSSL and ``cryptography`` do by
    default). ``label`` is bound to the ciphertext (decryption needs the same one); ``None``
    means empty, as in ``cryptography``. ``rng=None`` draws the seed from the OS;
    ``teaching_rng(seed)`` makes it reproducible for a notebook -- and predictable for anyone
    who knows that seed.
    """
    public_key = require_public_key(public_key, "oaep_encrypt")
    message = require_bytes("message", message)
    check_rng(rng)
    k = public_key.byte_length
    algorithm, _, _ = _parameters(k, hash, mgf_hash, label)
    _check_fits(message, k, algorithm)
    seed = random_bytes(algorithm.digest_size, rng)
    em = oaep_encode(message, k, hash=hash, mgf_hash=mgf_hash, label=label, seed=seed)
    return rsa_encrypt_block(public_key, em)


def oaep_decrypt(
    private_key: RSAPrivateKey,
    ciphertext: bytes,
    *,
    hash: str = "sha256",
    mgf_hash: str | None = None,
    label: bytes | None = b"",
) -> bytes:
    """RSAES-OAEP-DECRYPT: the message, or :class:`~paycore.errors.DecryptionError` (one message).

    The options (hash, label, key) are checked first and raise ``ValueError``/``TypeError``;
    anything wrong with the ciphertext itself raises the uniform ``DecryptionError``.
    """
    private_key = require_private_key(private_key, "oaep_decrypt")
    ciphertext = require_bytes("ciphertext", ciphertext)
    k = private_key.byte_length
    algorithm, mgf_name, label = _parameters(k, hash, mgf_hash, label)
    return _decode(rsa_decrypt_block(private_key, ciphertext), k, algorithm, mgf_name, label)
