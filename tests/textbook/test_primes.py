"""Primality checked against sympy's `isprime` (BPSW, an independent algorithm)."""

import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from paycore.textbook import is_probable_prime, random_prime, teaching_rng
from paycore.textbook.primes import (
    DETERMINISTIC_BASES,
    DETERMINISTIC_LIMIT,
    SMALL_PRIMES,
    miller_rabin,
    miller_rabin_rounds,
)

# Carmichael numbers: a^(n-1) = 1 (mod n) for every a coprime to n, so Fermat's test is fooled.
CARMICHAEL = [
    561,
    1105,
    1729,
    2465,
    2821,
    6601,
    8911,
    10585,
    15841,
    29341,
    41041,
    62745,
    63973,
    75361,
    101101,
    126217,
    172081,
    188461,
    252601,
    278545,
    294409,
    314821,
    334153,
]

# OEIS A014233: the smallest strong pseudoprime to all of the first k prime bases, k = 1..13.
STRONG_PSEUDOPRIMES = [
    2047,
    1373653,
    25326001,
    3215031751,
    2152302898747,
    3474749660383,
    341550071728321,
    3825123056546413051,
    318665857834031151167461,
    3317044064679887385961981,
]


def chernick_carmichael(count):
    """Large Carmichael numbers (6k+1)(12k+1)(18k+1) with all three factors prime."""
    found, k = [], 10**12
    while len(found) < count:
        k += 1
        factors = (6 * k + 1, 12 * k + 1, 18 * k + 1)
        if all(sympy.isprime(f) for f in factors):
            found.append(factors[0] * factors[1] * factors[2])
    return found


def test_every_number_below_20000_agrees_with_sympy():
    assert [n for n in range(20000) if is_probable_prime(n)] == list(sympy.primerange(0, 20000))


@pytest.mark.parametrize("n", CARMICHAEL)
def test_carmichael_numbers_are_composite(n):
    assert not sympy.isprime(n)
    assert not is_probable_prime(n)


def test_large_carmichael_numbers_are_composite():
    for n in chernick_carmichael(3):
        assert n > DETERMINISTIC_LIMIT  # exercises the random-base path
        assert not is_probable_prime(n, rng=teaching_rng(0))


@pytest.mark.parametrize("n", STRONG_PSEUDOPRIMES)
def test_strong_pseudoprimes_are_caught(n):
    assert not sympy.isprime(n)
    # They really do fool Miller-Rabin with the smallest prime bases ...
    assert miller_rabin(n, [2])
    # ... but not our test, which uses 13 bases below the limit and random ones above.
    assert not is_probable_prime(n)


def test_deterministic_limit_is_the_13_base_pseudoprime():
    assert DETERMINISTIC_BASES == (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
    assert miller_rabin(DETERMINISTIC_LIMIT, DETERMINISTIC_BASES[:12])


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=2**80))
def test_random_integers_agree_with_sympy(n):
    assert is_probable_prime(n) == sympy.isprime(n)


def test_random_ranges_of_large_numbers_agree_with_sympy():
    rng = random.Random(2026)
    for bits in (64, 128, 256, 512):
        start = rng.getrandbits(bits) | (1 << (bits - 1))
        for n in range(start, start + 400):
            assert is_probable_prime(n) == sympy.isprime(n), n


def test_known_large_primes_and_products():
    mersenne = [2**127 - 1, 2**521 - 1, 2**607 - 1]
    for p in mersenne:
        assert is_probable_prime(p)
    assert not is_probable_prime(mersenne[0] * mersenne[1])
    assert not is_probable_prime((2**89 - 1) ** 2)


@pytest.mark.parametrize("bits", [3, 8, 16, 64, 512, 1024])
def test_random_prime_has_exact_length_and_top_bits(bits):
    p = random_prime(bits, rng=teaching_rng(bits))
    assert p.bit_length() == bits
    assert p >> (bits - 2) == 0b11
    assert sympy.isprime(p)


def test_random_prime_is_reproducible_only_with_a_seed():
    assert random_prime(128, rng=teaching_rng(7)) == random_prime(128, rng=teaching_rng(7))
    assert random_prime(128) != random_prime(128)  # OS randomness: a repeat has chance ~2^-120


def test_random_prime_rejects_bad_arguments():
    with pytest.raises(ValueError, match="at least 3 bits"):
        random_prime(2)
    with pytest.raises(TypeError):
        random_prime(64.0)
    with pytest.raises(TypeError, match="rng must be"):
        random_prime(64, rng=42)


def test_is_probable_prime_rejects_bad_arguments():
    with pytest.raises(TypeError):
        is_probable_prime(7.0)
    with pytest.raises(TypeError):
        is_probable_prime("7")
    with pytest.raises(ValueError, match="rounds"):
        is_probable_prime(2**127 - 1, rounds=0)


def test_rounds_shrink_with_size_and_small_primes_are_prime():
    rounds = [miller_rabin_rounds(bits) for bits in (64, 128, 256, 512, 1024, 2048)]
    assert rounds == sorted(rounds, reverse=True)
    assert all(sympy.isprime(p) for p in SMALL_PRIMES)
    assert SMALL_PRIMES[-1] < 2000 < sympy.nextprime(SMALL_PRIMES[-1])
