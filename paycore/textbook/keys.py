"""Textbook RSA keys: the numbers ``n, e, d, p, q`` and the CRT values, and how to make them.

HAZARDOUS TEACHING CODE: part of :mod:`paycore.textbook`; never protects real payments.
Use :mod:`paycore.secure` for real keys.

A key pair is built in five steps, each a line of :meth:`RSAPrivateKey.from_primes`:
choose primes ``p != q``; ``n = p * q``; a totient ``lambda(n) = lcm(p-1, q-1)`` (or Euler's
``phi(n) = (p-1)(q-1)``); ``e`` coprime to it; ``d = e^-1 mod`` the totient. The CRT values
``dP = d mod (p-1)``, ``dQ = d mod (q-1)`` and ``qInv = q^-1 mod p`` (RFC 8017, section 3.2)
let decryption work modulo ``p`` and ``q`` separately, which is about 3x faster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import gcd
from typing import Literal

from paycore.textbook._checks import require_int, short
from paycore.textbook.ntheory import carmichael_lambda, euler_totient, modinv
from paycore.textbook.primes import is_probable_prime, random_prime
from paycore.textbook.randomness import RandomSource, resolve_rng

MIN_TEACHING_BITS = 16
"""Smallest modulus :func:`generate_private_key` makes: tiny keys are for the attack lab only."""

Totient = Literal["carmichael", "euler"]


@dataclass(frozen=True, repr=False)
class RSAPublicKey:
    """A textbook public key ``(n, e)``: anyone may encrypt or verify with it."""

    n: int
    e: int

    def __post_init__(self) -> None:
        require_int("n", self.n)
        require_int("e", self.e)
        if self.n < 15:
            raise ValueError(f"n must be a product of two odd primes (at least 15), got {self.n}")
        if not 3 <= self.e < self.n or self.e % 2 == 0:
            raise ValueError(f"e must be odd with 3 <= e < n, got {self.e}")

    @property
    def bits(self) -> int:
        """The size of the modulus in bits (2048 for an RSA-2048 key)."""
        return self.n.bit_length()

    @property
    def byte_length(self) -> int:
        """``k`` in RFC 8017: the length of ``n`` in bytes, and of every ciphertext."""
        return (self.n.bit_length() + 7) // 8

    def __repr__(self) -> str:
        return f"RSAPublicKey(bits={self.bits}, e={self.e}, n={short(self.n)})"


@dataclass(frozen=True, repr=False)
class RSAPrivateKey:
    """A textbook private key: the primes, both exponents and the CRT values.

    Build one with :meth:`from_primes` (which also proves ``p`` and ``q`` prime) or
    :func:`generate_private_key`. The constructor re-checks that ``p, q, e, d`` fit together
    (cheaply: no primality test), so a key whose ``d`` does not undo ``e`` cannot exist.
    """

    p: int
    q: int
    e: int
    d: int
    n: int = field(init=False)
    dp: int = field(init=False)
    dq: int = field(init=False)
    qinv: int = field(init=False)

    def __post_init__(self) -> None:
        for name in ("p", "q", "e", "d"):
            require_int(name, getattr(self, name))
        _check_odd_distinct(self.p, self.q)
        lam = carmichael_lambda(self.p, self.q)
        if (self.e * self.d) % lam != 1:
            raise ValueError("d is not an inverse of e modulo lambda(n): e * d must be 1 mod lcm(p-1, q-1)")
        object.__setattr__(self, "n", self.p * self.q)
        object.__setattr__(self, "dp", self.d % (self.p - 1))
        object.__setattr__(self, "dq", self.d % (self.q - 1))
        object.__setattr__(self, "qinv", modinv(self.q, self.p))
        RSAPublicKey(self.n, self.e)  # validates e against n

    @classmethod
    def from_primes(cls, p: int, q: int, e: int = 65537, *, totient: Totient = "carmichael") -> RSAPrivateKey:
        """Build a key from two primes and ``e``, computing ``d`` from the chosen totient.

        ``totient="carmichael"`` (the default, as in FIPS 186) gives the smallest working
        ``d``; ``totient="euler"`` gives the textbook ``d = e^-1 mod (p-1)(q-1)``.

        >>> key = RSAPrivateKey.from_primes(61, 53, 17)
        >>> key.n, key.d, RSAPrivateKey.from_primes(61, 53, 17, totient="euler").d
        (3233, 413, 2753)
        """
        for name, value in (("p", p), ("q", q), ("e", e)):
            require_int(name, value)
        _check_odd_distinct(p, q)
        for name, value in (("p", p), ("q", q)):
            if not is_probable_prime(value):
                raise ValueError(f"{name} is not prime: {short(value)} is composite")
        return cls._from_trusted_primes(p, q, e, totient)

    @classmethod
    def _from_trusted_primes(cls, p: int, q: int, e: int, totient: Totient = "carmichael") -> RSAPrivateKey:
        """:meth:`from_primes` without the primality proof, for primes we just generated."""
        if totient == "carmichael":
            modulus = carmichael_lambda(p, q)
        elif totient == "euler":
            modulus = euler_totient(p, q)
        else:
            raise ValueError(f'totient must be "carmichael" or "euler", got {totient!r}')
        _check_e(e, modulus)
        return cls(p, q, e, modinv(e, modulus))

    def public_key(self) -> RSAPublicKey:
        """The public half ``(n, e)``, safe to publish."""
        return RSAPublicKey(self.n, self.e)

    @property
    def bits(self) -> int:
        """The size of the modulus in bits."""
        return self.n.bit_length()

    @property
    def byte_length(self) -> int:
        """``k`` in RFC 8017: the length of ``n`` in bytes."""
        return (self.n.bit_length() + 7) // 8

    def __repr__(self) -> str:
        return f"RSAPrivateKey(bits={self.bits}, e={self.e}, n={short(self.n)}, d=<hidden>)"


def _check_odd_distinct(p: int, q: int) -> None:
    for name, value in (("p", p), ("q", q)):
        if value < 3:
            raise ValueError(f"{name} must be an odd prime of at least 3, got {value}")
        if value % 2 == 0:
            raise ValueError(f"{name} must be an odd prime, got the even number {short(value)}")
    if p == q:
        raise ValueError("p and q must be distinct: with p == q, n = p^2 and sqrt(n) reveals p")


def _check_e(e: int, totient: int) -> None:
    if e < 3 or e % 2 == 0:
        raise ValueError(f"e must be odd and at least 3, got {e}. Almost everyone should choose 65537 here!")
    if gcd(e, totient) != 1:
        raise ValueError(
            f"e={e} is not coprime to the totient {short(totient)}, so it has no inverse d; "
            "choose other primes or another e (65537 is the usual choice)"
        )


def generate_private_key(bits: int, e: int = 65537, rng: RandomSource | None = None) -> RSAPrivateKey:
    """Generate a textbook key pair whose modulus has exactly ``bits`` bits.

    Each prime has its top two bits set, ``gcd(e, p - 1) = 1``, and (for real sizes) the
    primes differ in their top 100 bits and ``d > 2^(bits/2)``, as FIPS 186-5 requires:
    close primes fall to Fermat's method and a small ``d`` to Wiener's attack.
    ``rng=None`` draws from the OS; ``teaching_rng(seed)`` makes a reproducible key.

    >>> from paycore.textbook.randomness import teaching_rng
    >>> key = generate_private_key(512, rng=teaching_rng("doctest"))
    >>> key.bits, key.e, key.public_key().n == key.p * key.q
    (512, 65537, True)
    """
    require_int("bits", bits)
    require_int("e", e)
    if bits < MIN_TEACHING_BITS:
        raise ValueError(
            f"bits too small: the textbook layer makes keys of at least {MIN_TEACHING_BITS} bits "
            f"for teaching (got {bits}); real keys need 2048 bits or more (see paycore.secure)"
        )
    if e < 3 or e % 2 == 0:
        raise ValueError(f"e must be odd and at least 3, got {e}. Almost everyone should choose 65537 here!")
    if e.bit_length() >= bits:
        raise ValueError(
            f"e={e} must be smaller than n, which has only {bits} bits; "
            "for a tiny teaching key choose a small e such as 3 or 17"
        )
    source = resolve_rng(rng)
    p_bits = (bits + 1) // 2
    q_bits = bits - p_bits
    while True:
        p = _prime_for_e(p_bits, e, source)
        q = _prime_for_e(q_bits, e, source)
        if p == q:
            continue
        if bits >= 256 and abs(p - q) >> (bits // 2 - 100) == 0:
            continue
        key = RSAPrivateKey._from_trusted_primes(p, q, e)
        if bits >= 256 and key.d.bit_length() <= bits // 2:
            continue
        return key


def _prime_for_e(bits: int, e: int, source: RandomSource) -> int:
    while True:
        p = random_prime(bits, rng=source)
        if gcd(e, p - 1) == 1:
            return p
