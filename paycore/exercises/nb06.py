"""Checkers for notebook 06 (attacks on RSA: cube roots, common modulus, Fermat, Wiener)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

from paycore.attacks.weak_keys import close_primes_key, shared_modulus_sibling, small_private_exponent_key
from paycore.exercises.core import Wrong, exercise, integer, shown
from paycore.textbook import encrypt_int, generate_private_key, os2ip, teaching_rng

TIME_LIMIT = 2.0
"""Seconds an answer may take on one input; every reference solution needs a few milliseconds."""


class _TooSlow(BaseException):
    """Raised inside a student's code when it runs out of time (a BaseException, so ``except Exception``
    in the student's code cannot swallow it)."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` where the OS allows it (Unix, main thread); else no limit."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum, _frame):
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _call(function: Callable, args: tuple, what: str, advice: str):
    """``function(*args)``, or :class:`Wrong` saying it took too long on ``what`` (with ``advice``)."""
    try:
        with _time_limit(TIME_LIMIT):
            return function(*args)
    except _TooSlow:
        raise Wrong(f"no answer after {TIME_LIMIT:g} s on {what}: {advice}") from None


CUBE_CASES = (
    0,
    1,
    7,
    8,
    26,
    27,
    12345**3,
    12345**3 - 1,
    10**30,
    (2**400 + 12345) ** 3,
    (2**400 + 12345) ** 3 + 1,
    (2**400 + 12345) ** 3 - 1,
    2**3000,
    os2ip(b"6222021234567890") ** 3,
)


@exercise(
    "06.1",
    "an integer cube root",
    level=1,
    answer="icbrt",
    hint="Binary search: lo, hi = 0, 1 << (x.bit_length() // 3 + 1); keep the invariant "
    "lo**3 <= x < hi**3 and halve the gap with integers only (mid = (lo + hi) // 2) until hi == lo + 1.",
)
def _cube_root(answer: object) -> None:
    if not callable(answer):
        raise Wrong("icbrt should be a function of one integer")
    for x in CUBE_CASES:
        what = f"a {x.bit_length()}-bit number" if x > 10**40 else str(x)
        try:
            r = _call(answer, (x,), f"icbrt({what})", "halve the interval each step instead of counting up")
        except OverflowError:
            raise Wrong(
                f"icbrt({what}) overflowed: floats stop near 2^1024 and keep only 53 bits, so "
                "x ** (1/3) cannot work for RSA-size numbers; use integers only"
            ) from None
        if isinstance(r, float):
            raise Wrong(f"icbrt({what}) returned the float {r!r}: floats keep 53 bits; return an int")
        if not isinstance(r, int) or isinstance(r, bool):
            raise Wrong(f"icbrt({what}) returned {shown(r)}; return an int")
        if r < 0 or r**3 > x:
            raise Wrong(f"icbrt({what}) returned a number whose cube is bigger than x: round down")
        if (r + 1) ** 3 <= x:
            raise Wrong(
                f"icbrt({what}) is too small: (r + 1)**3 is still <= x (floats lose the last digits?)"
            )


@cache
def _shared_modulus_pair():
    key = generate_private_key(512, rng=teaching_rng("exercise 06.2"))
    return key, shared_modulus_sibling(key)


@exercise(
    "06.2",
    "recover a message sent under a common modulus",
    level=2,
    answer="recover_message",
    hint="g, a, b = egcd(e1, e2) gives a*e1 + b*e2 = 1; then M = pow(c1, a, n) * pow(c2, b, n) % n "
    "(pow with a negative exponent uses the modular inverse).",
)
def _common_modulus(answer: object) -> None:
    if not callable(answer):
        raise Wrong("recover_message should be a function of (n, e1, c1, e2, c2)")
    key, sibling = _shared_modulus_pair()
    n = key.n
    for m in (12345, os2ip(b"refund 9980 fen to card 6222021234567890"), n - 2):
        c1, c2 = encrypt_int(key.public_key(), m), encrypt_int(sibling.public_key(), m)
        for e1, c_1, e2, c_2, order in (
            (key.e, c1, sibling.e, c2, ""),
            (sibling.e, c2, key.e, c1, " (exponents swapped)"),
        ):
            what = f"recover_message with e1 = {e1}, e2 = {e2}{order}"
            got = integer(answer(n, e1, c_1, e2, c_2), what)
            if got == m:
                continue
            if got % n == m:
                raise Wrong(f"{what} returned a number outside 0..n-1: reduce it modulo n")
            raise Wrong(
                f"{what} returned a number that does not encrypt to c1: with a*e1 + b*e2 = 1, "
                "M = c1^a * c2^b mod n -- check which ciphertext goes with which exponent"
            )


def _fermat_cases():
    rng = teaching_rng("exercise 06.3")
    keys = [close_primes_key(512, 100, rng) for _ in range(2)]
    return [
        ("n = 5959", 59, 101),
        ("n = 10403", 101, 103),
        ("n = 1000003 * 1000033", 1000003, 1000033),
        ("an 81-bit n whose primes are about 2^22 apart", 1099511640127, 1099515835259),
        *[(f"a 512-bit n whose primes share their top {512 // 2 - 100} bits", k.p, k.q) for k in keys],
        ("n = 1009 * 1009 (p = q: a = ceil(sqrt(n)) is sqrt(n) itself)", 1009, 1009),
    ]


@exercise(
    "06.3",
    "factor n with close primes, by Fermat's method",
    level=2,
    answer="fermat_factor",
    hint="a = math.isqrt(n), plus 1 unless a*a == n (that is ceil(sqrt(n))); while a*a - n is not a perfect "
    "square (math.isqrt again), a += 1; then b = isqrt(a*a - n) and (p, q) = (a - b, a + b).",
)
def _fermat(answer: object) -> None:
    if not callable(answer):
        raise Wrong("fermat_factor should be a function of n returning (p, q)")
    for what, p, q in _fermat_cases():
        p, q = min(p, q), max(p, q)
        advice = (
            "start at a = ceil(sqrt(n)) computed with math.isqrt (floats are too coarse for big n: a start a "
            "little too high never meets (p + q) / 2)"
        )
        try:
            got = _call(answer, (p * q,), what, advice)
        except ValueError as exc:
            if "isqrt" not in str(exc):
                raise
            raise Wrong(
                f"fermat_factor hit isqrt of a negative number on {what}: a*a - n < 0 means your start a is "
                "below sqrt(n). Floats are too coarse for big n: start at math.isqrt(n), plus 1 if not exact"
            ) from None
        if not (isinstance(got, tuple) and len(got) == 2):
            raise Wrong(f"fermat_factor gave {shown(got)} for {what}; return the pair (p, q)")
        if got == (p, q):
            continue
        if sorted(got) == [p, q]:
            raise Wrong(
                f"fermat_factor gave the factors of {what} the wrong way round: smaller first, (a - b, a + b)"
            )
        if 1 in got:
            raise Wrong(f"fermat_factor gave the trivial (1, n) for {what}: a went past (p + q) / 2")
        raise Wrong(f"fermat_factor gave {shown(got, 60)} for {what}, but p * q must be n, with p <= q")


def _wiener_cases():
    rng = teaching_rng("exercise 06.4")
    small_d = [
        ("a 512-bit key with a 120-bit d", small_private_exponent_key(512, 120, rng)),
        ("a 768-bit key with a 180-bit d", small_private_exponent_key(768, 180, rng)),
        ("a 1024-bit key with a 250-bit d", small_private_exponent_key(1024, 250, rng)),
    ]
    normal = generate_private_key(512, rng=teaching_rng("exercise 06.4 / a normal key"))
    return small_d, normal


@exercise(
    "06.4",
    "Wiener's attack on a small d",
    level=3,
    answer="find_small_d",
    hint="for k, d in convergents(e, n): skip k == 0 and any k that does not divide e*d - 1; "
    "phi = (e*d - 1) // k; s = n - phi + 1 (that is p + q); p and q are the roots of x^2 - s*x + n, "
    "so s*s - 4*n must be a perfect square. Return d when it is; None after the last convergent.",
)
def _wiener(answer: object) -> None:
    if not callable(answer):
        raise Wrong("find_small_d should be a function of (n, e) returning d or None")
    small_d, normal = _wiener_cases()
    advice = "the convergents are finite (about as many as n has digits): return None after the last"
    for what, key in small_d:
        try:
            d = _call(answer, (key.n, key.e), what, advice)
        except ZeroDivisionError:
            raise Wrong(
                f"find_small_d divided by zero on {what}: the first convergent of e/n is 0/1, so skip k = 0"
            ) from None
        if d is None:
            raise Wrong(
                f"find_small_d found nothing for {what}, whose d is small enough: test every convergent k/d"
            )
        d = integer(d, f"find_small_d on {what}")
        if any(pow(pow(m, key.e, key.n), d, key.n) != m for m in (2, 12345)):
            raise Wrong(
                f"find_small_d returned {shown(d)} for {what}, which does not decrypt: accept a convergent "
                "only when s*s - 4*n is a perfect square (then p and q are whole numbers)"
            )
    try:
        d = _call(answer, (normal.n, normal.e), "a normal key", advice)
    except ZeroDivisionError:
        raise Wrong(
            "find_small_d divided by zero on a normal key: skip k = 0 (the first convergent is 0/1)"
        ) from None
    if d is not None:
        raise Wrong(
            f"find_small_d returned {shown(d)} for a normal key (e = 65537, a full-size d), where the attack "
            "cannot work: return None when no convergent passes the perfect-square test"
        )
