"""Attack 6: Wiener's attack on a small private exponent, with continued fractions.

A vendor who picks a small ``d`` to make decryption fast loses the key. From ``e*d = 1 + k*phi``
and ``phi ~ n`` follows ``e/n ~ k/d``; when ``d < n^(1/4) / 3`` the approximation is so good
that ``k/d`` must be one of the *convergents* of the continued fraction of ``e/n`` (Legendre's
theorem). For each convergent the attacker guesses ``phi = (e*d - 1)/k``, then ``p + q = n - phi + 1``,
and solves ``x^2 - (p+q)x + n = 0``: integer roots mean the key is factored.

Defence: a full-size ``d``. FIPS 186-5 requires ``d > 2^(nlen/2)``; ``e = 65537`` with
``d = e^-1 mod lambda(n)`` gives a ``d`` about as long as ``n``. paycore's textbook generator
also enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from paycore.attacks.intmath import convergents, integer_root
from paycore.attacks.keyring import production_key, public_numbers
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.weak_keys import small_private_exponent_key
from paycore.textbook import teaching_rng


@dataclass(frozen=True)
class WienerResult:
    """What Wiener's attack found (``p``, ``q``, ``d``; ``None`` each if nothing) and how many tries."""

    p: int | None
    q: int | None
    d: int | None
    convergents_tried: int


def wiener_attack(n: int, e: int) -> WienerResult:
    """Factor ``n`` from the public key alone if ``d < n^(1/4) / 3``."""
    tried = 0
    for k, d in convergents(e, n):
        tried += 1
        if k == 0 or (e * d - 1) % k:
            continue
        phi = (e * d - 1) // k
        p_plus_q = n - phi + 1
        discriminant = p_plus_q * p_plus_q - 4 * n
        if discriminant < 0:
            continue
        root, exact = integer_root(discriminant, 2)
        if exact and (p_plus_q + root) % 2 == 0:
            p, q = (p_plus_q + root) // 2, (p_plus_q - root) // 2
            if p * q == n and q > 1:
                return WienerResult(p, q, d, tried)
    return WienerResult(None, None, None, tried)


def vulnerable_key():
    """A 1024-bit key with a 250-bit ``d`` (below n^(1/4) / 3, which is about 254 bits)."""
    return small_private_exponent_key(1024, 250, teaching_rng("attack 6 small d"))


def run_vulnerable() -> Outcome:
    key = vulnerable_key()
    with Stopwatch() as watch:
        result = wiener_attack(key.n, key.e)
    return Outcome(
        target=f"textbook RSA-1024, {key.d.bit_length()}-bit d",
        succeeded=result.d == key.d and {result.p, result.q} == {key.p, key.q},
        work=Work(guesses=result.convergents_tried, seconds=watch.seconds),
        detail=f"convergent number {result.convergents_tried} of e/n gave d and factored n",
    )


def run_production() -> Outcome:
    key = production_key()
    n, e = public_numbers(key)
    with Stopwatch() as watch:
        result = wiener_attack(n, e)
    d_bits = key.private_numbers().d.bit_length()
    return Outcome(
        target="paycore.secure RSA-2048",
        succeeded=result.p is not None,
        work=Work(guesses=result.convergents_tried, seconds=watch.seconds),
        detail=(
            f"none of the {result.convergents_tried} convergents of e/n works: d has {d_bits} bits, far "
            f"above the n^(1/4)/3 (~{n.bit_length() // 4} bits) the attack needs"
        ),
    )


ATTACK = register(
    Attack(
        number=6,
        name="wiener",
        title="Wiener's attack on a small private exponent",
        source="M. Wiener, Cryptanalysis of Short RSA Secret Exponents, IEEE Trans. Inf. Theory (1990)",
        defence="a full-size d (FIPS 186-5: d > 2^(nlen/2)); e = 65537",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
