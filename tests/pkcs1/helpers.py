"""Helpers for the paycore.pkcs1 tests: a scripted RNG and textbook copies of the pinned keys."""

from __future__ import annotations

import functools

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore.textbook import RSAPrivateKey, generate_private_key, teaching_rng
from tests.conftest import load_pinned_key
from tests.pkcs1.vectors import KeyVectors


class ScriptedRandom:
    """A hand-written fake RNG that hands out the given bytes, in order.

    paycore.pkcs1 documents that it turns ``rng.getrandbits(8 * n)`` into ``n`` big-endian bytes,
    so this lets a known-answer test drive the *public* API (``oaep_encrypt``, ``pss_sign``,
    ``pkcs1v15_encrypt``) with exactly the seed, salt or padding a published vector used.
    """

    def __init__(self, *chunks: bytes) -> None:
        self._data = b"".join(chunks)
        self._position = 0

    def getrandbits(self, bits: int) -> int:
        assert bits % 8 == 0, "the paddings draw whole bytes"
        end = self._position + bits // 8
        assert end <= len(self._data), "the padding drew more random bytes than the vector has"
        chunk, self._position = self._data[self._position : end], end
        return int.from_bytes(chunk, "big")

    def randrange(self, *args: int) -> int:
        raise AssertionError("the paddings should draw bytes with getrandbits, not randrange")

    @property
    def used_up(self) -> bool:
        return self._position == len(self._data)


@functools.cache
def pinned_pair(bits: int) -> tuple[RSAPrivateKey, rsa.RSAPrivateKey]:
    """A pinned key as (textbook key, `cryptography` key), built once per test session.

    ``from_primes`` proves the primes prime (about 0.4 s at 2048 bits), hence the cache.
    """
    theirs = load_pinned_key(bits)
    numbers = theirs.private_numbers()
    return RSAPrivateKey.from_primes(numbers.p, numbers.q, numbers.public_numbers.e), theirs


def textbook_key(vectors: KeyVectors) -> RSAPrivateKey:
    """The key of a vector file as a textbook key (the constructor checks that e*d = 1 mod lambda)."""
    p, q = vectors.primes
    return RSAPrivateKey(p, q, vectors.e, vectors.d)


@functools.cache
def key_from_private_exponent(n: int, e: int, d: int) -> RSAPrivateKey:
    """A textbook key for a vector that publishes only (n, e, d): `cryptography` recovers p and q."""
    p, q = rsa.rsa_recover_prime_factors(n, e, d)
    return RSAPrivateKey(p, q, e, d)


@functools.cache
def teaching_keys() -> tuple[RSAPrivateKey, ...]:
    """Seeded textbook keys of awkward sizes: 777 bits, 1025 (emBits = 1024, so PSS's EM is k - 1
    bytes) and 1031 (seven zero bits on top of EM), plus the pinned 2048-bit key."""
    made = tuple(generate_private_key(bits, rng=teaching_rng(f"pkcs1 {bits}")) for bits in (777, 1025, 1031))
    return (*made, pinned_pair(2048)[0])
