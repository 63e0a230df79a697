"""Factoring algorithms for the lab (attack 7): each recovers ``p`` from ``n`` when ``n`` is weak.

Whoever factors ``n`` computes ``d`` exactly as key generation did, so every factoring method
is a key-recovery attack. Four classic ones, each fast only against one kind of weak key:

* :func:`trial_division` -- divide by 3, 5, 7, ...: instant for tiny ``n``, hopeless beyond ~64 bits;
* :func:`pollard_rho` -- Pollard (1975): a random walk modulo ``p`` repeats after about ``sqrt(p)``
  steps, and ``gcd`` notices; fine up to ~100-bit ``n``, hopeless for real keys;
* :func:`fermat` -- write ``n = a^2 - b^2 = (a - b)(a + b)``: instant when ``p`` and ``q`` are close;
* :func:`batch_gcd` -- Bernstein's product and remainder trees: the gcd of each modulus with
  the product of all the others, for millions of keys at once; finds keys that share a prime.

None of them touches a properly made 2048-bit key: for that the best known method is the
general number field sieve (see :mod:`paycore.attacks.factoring_curve`). Each function takes a
``budget`` of steps and returns ``(factor or None, steps)``, so the lab can show it giving up.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import gcd, prod

from paycore.attacks.intmath import integer_root


def trial_division(n: int, budget: int = 1_000_000) -> tuple[int | None, int]:
    """The smallest prime factor of ``n`` if it is found within ``budget`` divisions."""
    if n % 2 == 0:
        return (2, 1) if n > 2 else (None, 1)
    steps, divisor = 0, 3
    while divisor * divisor <= n and steps < budget:
        steps += 1
        if n % divisor == 0:
            return divisor, steps
        divisor += 2
    return None, steps


def pollard_rho(n: int, budget: int = 1_000_000, batch: int = 64) -> tuple[int | None, int]:
    """A factor of ``n`` by Pollard's rho (Floyd's cycle finding), within ``budget`` steps.

    The walk ``x -> x^2 + c mod n`` is secretly also a walk modulo ``p``, which must repeat
    after about ``sqrt(p)`` steps; then ``p`` divides ``x - y`` and ``gcd(x - y, n)`` shows it.
    Differences are multiplied together and one gcd is taken per ``batch`` steps (cheaper).
    """
    if n % 2 == 0:
        return (2, 1) if n > 2 else (None, 1)
    steps = 0
    for c in range(1, 20):  # a walk that collides mod n as well as mod p is retried with a new c
        tortoise = hare = 2
        while steps < budget:
            saved = (tortoise, hare)
            product = 1
            for _ in range(batch):
                tortoise = (tortoise * tortoise + c) % n
                hare = (hare * hare + c) % n
                hare = (hare * hare + c) % n
                product = product * (tortoise - hare) % n
            steps += batch
            g = gcd(product, n)
            if g == 1:
                continue
            if g < n:
                return g, steps
            tortoise, hare = saved  # the batch overshot: replay it one step at a time
            for _ in range(batch):
                tortoise = (tortoise * tortoise + c) % n
                hare = (hare * hare + c) % n
                hare = (hare * hare + c) % n
                g = gcd(tortoise - hare, n)
                if g != 1:
                    break
            if 1 < g < n:
                return g, steps
            break  # g == n: this walk is useless, try the next c
        else:
            return None, steps  # budget spent
    return None, steps


def fermat(n: int, budget: int = 1_000_000) -> tuple[int | None, int]:
    """A factor of odd ``n`` by Fermat's method: ``a = ceil(sqrt(n)), a + 1, ...`` till ``a^2 - n`` is square.

    If ``n = pq`` with ``p - q = 2b``, then ``a = (p + q)/2`` works; it is reached after about
    ``(p - q)^2 / (8 sqrt(n))`` steps -- one step when ``p`` and ``q`` share their top half.
    """
    a, exact = integer_root(n, 2)
    if exact:
        return a, 0
    a += 1
    for steps in range(1, budget + 1):
        b, square = integer_root(a * a - n, 2)
        if square:
            return (a - b, steps) if a - b > 1 else (None, steps)
        a += 1
    return None, budget


def product_tree(numbers: Sequence[int]) -> list[list[int]]:
    """Levels of products, leaves first: ``[[n1, n2, n3, n4], [n1*n2, n3*n4], [n1*n2*n3*n4]]``."""
    levels = [list(numbers)]
    while len(levels[-1]) > 1:
        level = levels[-1]
        levels.append([prod(level[i : i + 2]) for i in range(0, len(level), 2)])
    return levels


def batch_gcd(moduli: Sequence[int]) -> list[int]:
    """For each modulus ``n_i``, ``gcd(n_i, product of all the others)`` (1 when it shares nothing).

    Bernstein's trick: compute ``P mod n_i^2`` for every i by reducing down the product tree
    (a remainder tree), then ``gcd(n_i, (P mod n_i^2) / n_i)``. Cost: a few multiplications of
    the size of ``P``, instead of a gcd for every pair.
    """
    if len(moduli) < 2:
        raise ValueError("batch GCD needs at least two moduli")
    levels = product_tree(moduli)
    remainders = levels[-1]
    for level in reversed(levels[:-1]):
        remainders = [remainders[i // 2] % (value * value) for i, value in enumerate(level)]
    return [gcd(r // n, n) for r, n in zip(remainders, moduli, strict=True)]
