"""VULNERABLE key generation: the mistakes that real key generators have made, one per function.

.. warning::
   Each function makes keys that are broken on purpose. :func:`paycore.textbook.generate_private_key`
   refuses to make most of them (it keeps ``p`` and ``q`` far apart and ``d`` large), and
   :func:`paycore.secure.generate_private_key` (OpenSSL) makes fresh, independent primes.

* :func:`close_primes_key` -- ``p`` and ``q`` share their top bits: Fermat's method (attack 7b).
* :func:`shared_prime_keys` -- devices that drew ``p`` right after boot, with too little entropy:
  batch GCD (attack 7c).
* :func:`small_private_exponent_key` -- a tiny ``d`` for fast decryption: Wiener (attack 6).
* :func:`shared_modulus_sibling` -- a second ``e`` on the same modulus: common modulus (attack 5).
"""

from __future__ import annotations

from math import gcd

from paycore.textbook import (
    RSAPrivateKey,
    carmichael_lambda,
    euler_totient,
    is_probable_prime,
    modinv,
    random_prime,
    teaching_rng,
)
from paycore.textbook.randomness import RandomSource


def next_prime(start: int) -> int:
    """The smallest prime ``>= start``."""
    candidate = start | 1
    while not is_probable_prime(candidate):
        candidate += 2
    return candidate


def close_primes_key(bits: int, gap_bits: int, rng: RandomSource) -> RSAPrivateKey:
    """A ``bits``-bit key whose primes differ by less than ``2**gap_bits`` (as in CVE-2022-26320)."""
    while True:
        p = random_prime(bits // 2, rng=rng)
        q = next_prime(p + rng.getrandbits(gap_bits) + 2)
        if (p * q).bit_length() == bits and gcd(65537, (p - 1) * (q - 1)) == 1:
            return RSAPrivateKey.from_primes(p, q)


def shared_prime_keys(
    count: int, bits: int, boot_states: int, rng: RandomSource
) -> tuple[list[RSAPrivateKey], list[int]]:
    """``count`` keys from devices that pick ``p`` from one of only ``boot_states`` RNG states.

    Returns the keys and, for each, the boot state it used: keys with the same state share ``p``
    (the situation Heninger et al. found on the Internet in 2012). ``rng`` supplies the
    per-device randomness that arrives later and makes every ``q`` different.
    """
    keys, states = [], []
    while len(keys) < count:
        state = rng.randrange(boot_states)
        p = random_prime(bits // 2, rng=teaching_rng(f"device boot state {state}"))
        q = random_prime(bits - bits // 2, rng=rng)
        if p == q or gcd(65537, (p - 1) * (q - 1)) != 1:
            continue
        keys.append(RSAPrivateKey.from_primes(p, q))
        states.append(state)
    return keys, states


def small_private_exponent_key(bits: int, d_bits: int, rng: RandomSource) -> RSAPrivateKey:
    """A key with a ``d_bits``-bit private exponent and ``e = d^-1 mod phi(n)`` (so ``e`` is huge)."""
    p = random_prime(bits // 2, rng=rng)
    while True:
        q = random_prime(bits - bits // 2, rng=rng)
        if q != p:
            break
    phi = euler_totient(p, q)
    while True:
        d = rng.getrandbits(d_bits) | (1 << (d_bits - 1)) | 1
        if gcd(d, phi) == 1:
            e = modinv(d, phi)
            if e > 2:
                return RSAPrivateKey(p, q, e, d)


def shared_modulus_sibling(key: RSAPrivateKey, exponents: tuple[int, ...] = (3, 5, 17, 257)) -> RSAPrivateKey:
    """A second key on ``key``'s modulus with another small public exponent (the first that works)."""
    lam = carmichael_lambda(key.p, key.q)
    for e in exponents:
        if e != key.e and gcd(e, lam) == 1:
            return RSAPrivateKey(key.p, key.q, e, modinv(e, lam))
    raise ValueError("none of the exponents is coprime to lambda(n); pass others")
