"""The bits of number theory the attacks share: exact roots, the CRT, continued fractions.

Small, exact, integer-only teaching implementations (no floats: a 2048-bit number has no
faithful ``float``). The tests check each against sympy.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from math import prod

from paycore.textbook import modinv


def integer_root(x: int, k: int) -> tuple[int, bool]:
    """``(r, exact)``: the largest ``r`` with ``r**k <= x``, and whether ``r**k == x``.

    Newton's method on integers, started above the root so that it falls monotonically.

    >>> integer_root(12345**3, 3)
    (12345, True)
    >>> integer_root(12345**3 + 1, 3)
    (12345, False)
    """
    if isinstance(x, bool) or not isinstance(x, int) or x < 0:
        raise ValueError(f"x must be a non-negative int, got {x!r}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    if x < 2 or k == 1:
        return x, True
    root = 1 << -(-x.bit_length() // k)  # 2^ceil(bits/k) is at least the root
    while True:
        better = ((k - 1) * root + x // root ** (k - 1)) // k
        if better >= root:
            return root, root**k == x
        root = better


def crt(residues: Sequence[int], moduli: Sequence[int]) -> tuple[int, int]:
    """``(x, N)`` with ``x = r_i (mod n_i)`` for every i and ``N = prod(n_i)``; moduli pairwise coprime.

    >>> crt([2, 3, 2], [3, 5, 7])
    (23, 105)
    """
    if len(residues) != len(moduli) or not moduli:
        raise ValueError("give one residue per modulus, and at least one modulus")
    big_n = prod(moduli)
    x = 0
    for r, n in zip(residues, moduli, strict=True):
        rest = big_n // n
        x += r * rest * modinv(rest % n, n)  # modinv raises if the moduli share a factor
    return x % big_n, big_n


def continued_fraction(numerator: int, denominator: int) -> Iterator[int]:
    """The partial quotients ``[a0; a1, a2, ...]`` of ``numerator / denominator`` (Euclid's algorithm).

    >>> list(continued_fraction(415, 93))
    [4, 2, 6, 7]
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    while denominator:
        quotient, remainder = divmod(numerator, denominator)
        yield quotient
        numerator, denominator = denominator, remainder


def convergents(numerator: int, denominator: int) -> Iterator[tuple[int, int]]:
    """The convergents ``h/k`` of ``numerator / denominator``, as ``(h, k)`` pairs, best last.

    >>> list(convergents(415, 93))
    [(4, 1), (9, 2), (58, 13), (415, 93)]
    """
    h_prev, h = 0, 1
    k_prev, k = 1, 0
    for quotient in continued_fraction(numerator, denominator):
        h_prev, h = h, quotient * h + h_prev
        k_prev, k = k, quotient * k + k_prev
        yield h, k


def ceil_div(a: int, b: int) -> int:
    """``ceil(a / b)`` for integers, exactly (no floats).

    >>> ceil_div(7, 2), ceil_div(-7, 2)
    (4, -3)
    """
    return -(-a // b)
