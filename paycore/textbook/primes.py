"""Primality testing and random primes of an exact bit length.

HAZARDOUS TEACHING CODE: part of :mod:`paycore.textbook`; never protects real payments
(pure Python cannot hide its timing, and nothing here resists side channels).

Two stages, as in every real library:

1. **Trial division** by the primes below 2000 throws out about 85% of odd candidates with
   one ``gcd`` -- far cheaper than an exponentiation.
2. **Miller-Rabin**: write ``n - 1 = 2^s * d`` with ``d`` odd; a prime ``n`` makes every base
   ``a`` satisfy ``a^d = 1`` or ``a^(2^r d) = -1 (mod n)`` for some ``r < s``. A composite
   fails that for at least 3/4 of the bases, so ``k`` random bases leave at most ``4^-k``.
   Below 3.3 * 10^24 the first 13 primes as bases give an exact answer (Sorenson & Webster).
"""

from collections.abc import Iterable
from math import gcd, prod

from paycore.textbook._checks import require_int
from paycore.textbook.randomness import RandomSource, resolve_rng


def _sieve(limit: int) -> tuple[int, ...]:
    flags = bytearray([1]) * (limit + 1)
    flags[0:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if flags[i]:
            flags[i * i :: i] = bytearray(len(flags[i * i :: i]))
    return tuple(i for i, is_prime in enumerate(flags) if is_prime)


SMALL_PRIMES: tuple[int, ...] = _sieve(2000)
"""The primes below 2000, used for trial division."""

_SMALL_PRIMES_PRODUCT = prod(SMALL_PRIMES)
_SMALL_PRIMES_SET = frozenset(SMALL_PRIMES)

DETERMINISTIC_BASES: tuple[int, ...] = SMALL_PRIMES[:13]
"""Bases 2, 3, ..., 41: Miller-Rabin with all of them is exact below :data:`DETERMINISTIC_LIMIT`."""

DETERMINISTIC_LIMIT = 3_317_044_064_679_887_385_961_981
"""The smallest strong pseudoprime to all of :data:`DETERMINISTIC_BASES` (OEIS A014233)."""

ADVERSARIAL_ROUNDS = 64
"""Random bases for a number that may have been *chosen* to fool us: error below 2^-128."""


def miller_rabin_rounds(bits: int) -> int:
    """Rounds of Miller-Rabin for a *random* odd candidate of ``bits`` bits.

    Random candidates are far easier than adversarial ones: the Damgard-Landrock-Pomerance
    bounds (Handbook of Applied Cryptography, table 4.4) give error below 2^-80 with these
    counts; we add two rounds of margin.

    >>> miller_rabin_rounds(1024), miller_rabin_rounds(256)
    (5, 14)
    """
    table = (
        (1300, 2),
        (850, 3),
        (650, 4),
        (550, 5),
        (450, 6),
        (400, 7),
        (350, 8),
        (300, 9),
        (250, 12),
        (200, 15),
        (150, 18),
        (100, 27),
    )
    for threshold, rounds in table:
        if bits >= threshold:
            return rounds + 2
    return 40


def miller_rabin(n: int, bases: Iterable[int]) -> bool:
    """One Miller-Rabin test of odd ``n > 3`` against each base; False means surely composite.

    >>> miller_rabin(2047, [2])   # 2047 = 23 * 89 fools base 2 ...
    True
    >>> miller_rabin(2047, [3])   # ... but not base 3
    False
    """
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in bases:
        a %= n
        if a in (0, 1, n - 1):
            continue
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def is_probable_prime(n: int, *, rounds: int | None = None, rng: RandomSource | None = None) -> bool:
    """True if ``n`` is prime (exactly below 3.3 * 10^24, with error < 4^-rounds above).

    ``rounds`` defaults to :data:`ADVERSARIAL_ROUNDS`, safe even for numbers built to fool
    the test (Carmichael numbers, strong pseudoprimes); key generation passes fewer rounds
    for its random candidates.

    >>> [k for k in range(30) if is_probable_prime(k)]
    [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    >>> is_probable_prime(561)            # the smallest Carmichael number
    False
    >>> is_probable_prime(2**127 - 1)     # a Mersenne prime
    True
    """
    require_int("n", n)
    if n < 2:
        return False
    if n <= SMALL_PRIMES[-1]:
        return n in _SMALL_PRIMES_SET
    if gcd(n, _SMALL_PRIMES_PRODUCT) != 1:
        return False
    if n < DETERMINISTIC_LIMIT:
        return miller_rabin(n, DETERMINISTIC_BASES)
    if rounds is None:
        rounds = ADVERSARIAL_ROUNDS
    if require_int("rounds", rounds) < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    source = resolve_rng(rng)
    return miller_rabin(n, (source.randrange(2, n - 1) for _ in range(rounds)))


def random_prime(bits: int, *, rng: RandomSource | None = None) -> int:
    """A random prime of exactly ``bits`` bits whose top two bits are set.

    Setting the top two bits makes the product of two such primes exactly ``2 * bits``
    long (``1.5 * 1.5 > 2``), so an RSA modulus has the size it claims. ``rng=None`` uses OS
    randomness; pass ``teaching_rng(seed)`` only for reproducible classroom keys.

    >>> from paycore.textbook.randomness import teaching_rng
    >>> p = random_prime(64, rng=teaching_rng(1))
    >>> p.bit_length(), p >> 62, is_probable_prime(p)
    (64, 3, True)
    """
    require_int("bits", bits)
    if bits < 3:
        raise ValueError(f"a prime with its top two bits set needs at least 3 bits, got {bits}")
    source = resolve_rng(rng)
    rounds = miller_rabin_rounds(bits)
    top_two = 0b11 << (bits - 2)
    while True:
        candidate = source.getrandbits(bits) | top_two | 1
        if is_probable_prime(candidate, rounds=rounds, rng=source):
            return candidate
