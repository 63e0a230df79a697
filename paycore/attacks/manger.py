"""Attack 11: Manger's attack on RSA-OAEP when decoding errors can be told apart (CRYPTO 2001).

OAEP is the right padding, but its decoder must fail *alike*. An OAEP block starts with a zero
byte, i.e. the plaintext integer is below ``B = 2^(8(k-1))``. A decoder that reports "first byte
not zero" differently from "hash mismatch" answers the question "is ``f * M mod n < B``?" for
any ``f`` the attacker picks (send ``C * f^e``). Manger's three steps use those answers to
halve the range of ``M`` with (almost) every query: about ``log2 n`` queries in all.

1. double ``f1`` until ``f1 * M >= B`` (so ``f1/2 * M`` lies in ``[B/2, B)``);
2. step ``f2`` by ``f1/2`` until ``f2 * M`` wraps into ``[n, n + B)``;
3. binary-search with well-chosen ``f3`` until ``M`` is one number.

Defence: one error for every decoding failure, as RFC 8017 (7.1.2) requires, checked in
constant time. ``cryptography`` (OpenSSL) does so; :mod:`paycore.secure` turns every failure into
the same :class:`~paycore.errors.DecryptionError`, so the attacker's question never gets an answer.
"""

from __future__ import annotations

from collections.abc import Callable

from paycore import secure
from paycore.attacks.intmath import ceil_div
from paycore.attacks.keyring import production_key, public_numbers, teaching_key
from paycore.attacks.oracle import AttackFailed, Oracle
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.targets import IntegerTooLarge, LeakyOAEPServer
from paycore.errors import DecryptionError
from paycore.pkcs1 import oaep_decode, oaep_encrypt
from paycore.textbook import i2osp, os2ip, teaching_rng

SECRET = b"card=6222021234567890;exp=12/29"
PRODUCTION_BUDGET = 3_000


def manger_attack(n: int, e: int, ciphertext: int, below_b: Callable[[int], bool]) -> int:
    """The plaintext block of ``ciphertext``, from an oracle ``below_b(c)``: "does ``c`` decrypt below B?"."""
    k = (n.bit_length() + 7) // 8
    big_b = 1 << (8 * (k - 1))
    if not 2 * big_b < n:
        raise ValueError("Manger's attack needs 2B < n (a modulus whose top byte is at least 2)")

    def below(f: int) -> bool:
        return below_b(ciphertext * pow(f, e, n) % n)

    f1 = 2  # step 1
    while below(f1):
        f1 *= 2
        if f1 > n:
            raise AttackFailed("every multiple of M looked below B: the oracle tells nothing")
    half = f1 // 2
    f2 = (n + big_b) // big_b * half  # step 2
    while not below(f2):
        f2 += half
        if f2 > 2 * n:
            raise AttackFailed("no multiple wrapped below B: the oracle's answers are inconsistent")
    m_min, m_max = ceil_div(n, f2), (n + big_b) // f2  # step 3
    while m_min < m_max:
        f_tmp = 2 * big_b // (m_max - m_min)
        i = f_tmp * m_min // n
        f3 = ceil_div(i * n, m_min)
        if below(f3):
            m_max = (i * n + big_b) // f3
        else:
            m_min = ceil_div(i * n + big_b, f3)
    if pow(m_min, e, n) != ciphertext:
        raise AttackFailed("the answers led to a number that does not encrypt to the ciphertext")
    return m_min


def first_byte_oracle(decrypt: Callable[[bytes], object], k: int) -> Callable[[int], bool]:
    """The attacker's reading of a server: :class:`IntegerTooLarge` means "not below B", all else "below"."""

    def below_b(c: int) -> bool:
        try:
            decrypt(i2osp(c, k))
        except IntegerTooLarge:
            return False
        except DecryptionError:
            return True
        return True

    return below_b


def run_vulnerable() -> Outcome:
    key = teaching_key(1024)
    server = LeakyOAEPServer(key)
    wire = oaep_encrypt(key.public_key(), SECRET, rng=teaching_rng("attack 11 seed"))
    oracle = Oracle(
        first_byte_oracle(server.decrypt, key.byte_length), budget=4 * key.n.bit_length(), name="OAEP"
    )
    with Stopwatch() as watch:
        block = manger_attack(key.n, key.e, os2ip(wire), oracle)
        recovered = oaep_decode(i2osp(block, key.byte_length), key.byte_length)  # decoding needs no key
    return Outcome(
        target="RSA-1024 OAEP server, two errors",
        succeeded=recovered == SECRET,
        work=Work(queries=oracle.queries, seconds=watch.seconds),
        detail=f"{oracle.queries:,} queries (log2 n = {key.n.bit_length()}) gave the block: {recovered!r}",
    )


def run_production() -> Outcome:
    key = production_key()
    n, e = public_numbers(key)
    k = (n.bit_length() + 7) // 8
    wire = secure.oaep_encrypt(key.public_key(), SECRET)
    oracle = Oracle(
        first_byte_oracle(lambda c: secure.oaep_decrypt(key, c), k), budget=PRODUCTION_BUDGET, name="OAEP"
    )
    with Stopwatch() as watch:
        try:
            manger_attack(n, e, os2ip(wire), oracle)
            failure = None
        except AttackFailed as exc:
            failure = exc
    return Outcome(
        target="paycore.secure OAEP, one error",
        succeeded=failure is None,
        work=Work(queries=oracle.queries, seconds=watch.seconds),
        detail=f"every failure is the same DecryptionError, so 'below B?' never gets an answer: {failure}",
    )


ATTACK = register(
    Attack(
        number=11,
        name="manger",
        title="Manger's attack on OAEP with distinguishable decoding errors",
        source="J. Manger, A Chosen Ciphertext Attack on RSA OAEP as Standardized in PKCS #1 v2.0 (2001)",
        defence="one error (and constant time) for every OAEP decoding failure, RFC 8017 7.1.2",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
