"""Attack 10: Bleichenbacher's padding oracle on PKCS#1 v1.5 encryption (CRYPTO 1998).

A PKCS#1 v1.5 block is ``00 02 PS 00 M``. A server that reveals whether a ciphertext's
plaintext starts with ``00 02`` tells the attacker that it lies in ``[2B, 3B)``, where
``B = 2^(8(k-2))``. Multiplying the target ciphertext by ``s^e`` multiplies its plaintext by
``s``; each ``s`` the server accepts narrows the set of possible plaintexts, until one is left:

1. *(blinding, skipped: the target is already a valid ciphertext, so s0 = 1)*
2. find the next ``s`` that the oracle accepts -- 2a from ``n/3B`` upwards; 2b the same when
   several intervals remain; 2c a quick search near the last ``s`` when one interval is left;
3. for each interval ``[a, b]`` and each possible wrap count ``r``, keep ``[a, b]`` intersected
   with ``[(2B + rn)/s, (3B - 1 + rn)/s]``;
4. stop when the interval is one number.

Step 2a dominates: about one multiplier in 2^16 is accepted, so tens of thousands of queries.

Defence: do not have an oracle. OAEP is the modern padding; where PKCS#1 v1.5 decryption must
stay, *implicit rejection* (OpenSSL 3.2+, hence ``cryptography``) returns a deterministic
random-looking message on bad padding instead of an error, so every query looks "valid".
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import padding

from paycore.attacks.intmath import ceil_div
from paycore.attacks.keyring import production_key, public_numbers, teaching_key
from paycore.attacks.oracle import AttackFailed, Oracle
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.targets import PaddingError, PaddingLeakingServer
from paycore.errors import DecryptionError
from paycore.pkcs1 import eme_pkcs1v15_decode, pkcs1v15_encrypt
from paycore.textbook import RSAPrivateKey, i2osp, os2ip, teaching_rng

SECRET = b"AES-128 key 0123"
VULNERABLE_BUDGET = 400_000
PRODUCTION_BUDGET = 5_000


def _narrow(intervals: list[tuple[int, int]], s: int, n: int, big_b: int) -> list[tuple[int, int]]:
    """Step 3: the parts of ``intervals`` where ``m * s mod n`` can lie in ``[2B, 3B)``."""
    narrowed: list[tuple[int, int]] = []
    for a, b in intervals:
        for r in range(ceil_div(a * s - 3 * big_b + 1, n), (b * s - 2 * big_b) // n + 1):
            low = max(a, ceil_div(2 * big_b + r * n, s))
            high = min(b, (3 * big_b - 1 + r * n) // s)
            if low <= high:
                narrowed.append((low, high))
    narrowed.sort()
    merged: list[tuple[int, int]] = []
    for low, high in narrowed:
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def bleichenbacher_attack(n: int, e: int, ciphertext: int, conforming: Callable[[int], bool]) -> int:
    """The plaintext block of ``ciphertext`` (a valid PKCS#1 v1.5 ciphertext), from a padding oracle.

    ``conforming(c)`` answers "does ``c`` decrypt to a block starting ``00 02``?". Raises
    :class:`~paycore.attacks.oracle.AttackFailed` if the answers contradict each other.
    """
    k = (n.bit_length() + 7) // 8
    big_b = 1 << (8 * (k - 2))

    def accepts(s: int) -> bool:
        return conforming(ciphertext * pow(s, e, n) % n)

    intervals = [(2 * big_b, 3 * big_b - 1)]
    s = ceil_div(n, 3 * big_b)  # step 2a
    while not accepts(s):
        s += 1
    while True:
        intervals = _narrow(intervals, s, n, big_b)  # step 3
        if not intervals:
            raise AttackFailed("no plaintext is consistent with the oracle's answers")
        if len(intervals) == 1 and intervals[0][0] == intervals[0][1]:  # step 4
            m = intervals[0][0]
            if pow(m, e, n) != ciphertext:
                raise AttackFailed("the answers led to a number that does not encrypt to the ciphertext")
            return m
        if len(intervals) > 1:  # step 2b
            s += 1
            while not accepts(s):
                s += 1
            continue
        a, b = intervals[0]  # step 2c
        r = ceil_div(2 * (b * s - 2 * big_b), n)
        while True:
            low, high = ceil_div(2 * big_b + r * n, b), ceil_div(3 * big_b + r * n, a)
            found = next((candidate for candidate in range(low, high) if accepts(candidate)), None)
            if found is not None:
                s = found
                break
            r += 1


def padding_oracle(
    decrypt: Callable[[bytes], object], k: int, rejects: tuple[type[Exception], ...] = (PaddingError,)
) -> Callable[[int], bool]:
    """The attacker's reading of a server: ``decrypt`` raising one of ``rejects`` means "bad padding".

    Any other answer -- a plaintext, or a different error raised after the header check --
    means the block started ``00 02``.
    """

    def conforming(c: int) -> bool:
        try:
            decrypt(i2osp(c, k))
        except rejects:
            return False
        except DecryptionError:
            return True  # failed after the header check: the header was fine
        return True

    return conforming


def lab_target() -> tuple[RSAPrivateKey, bytes]:
    """The lab's victim: a seeded 512-bit key and its PKCS#1 v1.5 ciphertext of :data:`SECRET`.

    How many queries the attack needs varies wildly with the key and the padding: step 2a is a
    lottery (on 24 seeded 256-bit keys we counted from 900 to 280,000, median about 15,000).
    This target needs about 34,000, some eight seconds of pure Python.
    """
    key = teaching_key(512, label="attack 10")
    return key, pkcs1v15_encrypt(key.public_key(), SECRET, rng=teaching_rng("attack 10 padding"))


def run_vulnerable() -> Outcome:
    key, wire = lab_target()
    server = PaddingLeakingServer(key)
    oracle = Oracle(padding_oracle(server.decrypt, key.byte_length), budget=VULNERABLE_BUDGET, name="padding")
    with Stopwatch() as watch:
        block = bleichenbacher_attack(key.n, key.e, os2ip(wire), oracle)
    recovered = eme_pkcs1v15_decode(i2osp(block, key.byte_length), key.byte_length)  # no key needed
    return Outcome(
        target="RSA-512 v1.5 server, own padding error",
        succeeded=recovered == SECRET,
        work=Work(queries=oracle.queries, seconds=watch.seconds),
        detail=f"{oracle.queries:,} questions 'is the padding valid?' decrypted {recovered!r}",
    )


def run_production() -> Outcome:
    key = production_key()
    n, e = public_numbers(key)
    k = (n.bit_length() + 7) // 8
    wire = key.public_key().encrypt(SECRET, padding.PKCS1v15())
    oracle = Oracle(
        padding_oracle(lambda c: key.decrypt(c, padding.PKCS1v15()), k, rejects=(ValueError,)),
        budget=PRODUCTION_BUDGET,
        name="padding",
    )
    with Stopwatch() as watch:
        try:
            bleichenbacher_attack(n, e, os2ip(wire), oracle)
            failure = None
        except AttackFailed as exc:
            failure = exc
    return Outcome(
        target="cryptography v1.5, implicit rejection",
        succeeded=failure is None,
        work=Work(queries=oracle.queries, seconds=watch.seconds),
        detail=(
            f"every query looked valid (implicit rejection returns a random-looking message, never an "
            f"error), so the intervals led nowhere: {failure}"
        ),
    )


ATTACK = register(
    Attack(
        number=10,
        name="bleichenbacher",
        title="Bleichenbacher's PKCS#1 v1.5 padding oracle",
        source="D. Bleichenbacher, Chosen Ciphertext Attacks Against Protocols Based on PKCS #1, CRYPTO 1998",
        defence="OAEP; no distinguishable padding error (implicit rejection in OpenSSL 3.2+)",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
