"""Checkers for notebook 01 (RSA by hand)."""

from __future__ import annotations

from math import gcd

from paycore.exercises.core import Wrong, count, exercise, integer, shown
from paycore.textbook import RSAPrivateKey, carmichael_lambda, encrypt_int


@exercise(
    "01.1",
    "the totient of n = 11 * 13",
    level=1,
    answer="phi_143",
    hint="Euler's phi of p*q is (p - 1)(q - 1); or count the k in 1..143 with gcd(k, 143) == 1.",
)
def _phi(answer: object) -> None:
    answer = count(answer, "phi_143")
    expected = sum(1 for k in range(1, 144) if gcd(k, 143) == 1)
    if answer == 143:
        raise Wrong("143 counts every number up to n; leave out those sharing a factor (11 or 13) with n")
    if answer != expected:
        raise Wrong(
            f"phi_143 = {shown(answer)}: count again -- how many numbers in 1..143 share no factor with 143?"
        )


@exercise(
    "01.2",
    "a modular inverse with the extended Euclidean algorithm",
    level=2,
    answer="my_modinv",
    hint="egcd(a, m) returns (g, x, y) with a*x + m*y = g; when g == 1, x mod m is the inverse.",
)
def _modinv(answer: object) -> None:
    if not callable(answer):
        raise Wrong("my_modinv should be a function of (a, m)")
    for a, m in ((17, 3120), (17, 780), (3, 7), (65537, 2**61 - 2), (2, 2**127 - 1)):
        call = f"my_modinv({a}, {shown(m)})"
        result = integer(answer(a, m), call)
        if not 0 <= result < m:
            raise Wrong(f"{call} returned {shown(result)}: the inverse is a number in [0, m)")
        if (a * result) % m != 1:
            raise Wrong(
                f"{call} returned {shown(result)}, but {a} * {shown(result)} mod {shown(m)} is "
                f"{shown((a * result) % m)}, not 1"
            )
    try:
        result = answer(6, 3120)
    except ValueError:
        return
    raise Wrong(
        f"my_modinv(6, 3120) returned {shown(result)}: 6 and 3120 share the factor 6, so no inverse "
        "exists; raise ValueError instead"
    )


@exercise(
    "01.3",
    "decrypt a message with a key you build yourself",
    level=3,
    answer="recovered",
    hint="Build the key with RSAPrivateKey.from_primes(101, 113, 17), then decrypt_int(key, 4567).",
)
def _recovered(answer: object) -> None:
    key = RSAPrivateKey.from_primes(101, 113, 17)
    answer = integer(answer, "recovered")
    if not 0 <= answer < key.n:
        raise Wrong(f"recovered = {shown(answer)}: a message is a number in [0, n) = [0, {key.n})")
    if encrypt_int(key.public_key(), answer) != 4567:
        lam = carmichael_lambda(101, 113)
        raise Wrong(
            f"{answer} does not encrypt to 4567 with (n, e) = ({key.n}, 17); is your d the inverse "
            f"of 17 modulo lambda(n) = {lam}?"
        )
