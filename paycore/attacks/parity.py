"""Attack 9: the RSA parity oracle -- one bit per query, the whole plaintext in ``log2 n`` queries.

A server that says whether a ciphertext decrypts to an odd number leaks everything. Doubling
the plaintext is free (``C * 2^e`` encrypts ``2M``), and since ``n`` is odd, ``2M mod n`` is
even exactly when ``2M < n``, i.e. when ``M < n/2``. Asking about ``2M, 4M, 8M, ...`` reads the
binary digits of ``M/n`` one by one; after ``k = bitlen(n)`` answers ``M`` is pinned down
exactly. (The least significant bit of RSA is as hard as the whole message: Alexi, Chor,
Goldreich and Schnorr, 1988 -- a proof that cuts both ways.)

Defence: no plaintext for a tampered ciphertext. The doubled OAEP ciphertext fails its check,
so the production server only ever answers :class:`~paycore.errors.DecryptionError`.
"""

from __future__ import annotations

from collections.abc import Callable

from paycore import secure
from paycore.attacks.intmath import ceil_div
from paycore.attacks.keyring import production_key, public_numbers, teaching_key
from paycore.attacks.oracle import Oracle
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.targets import ParityLeakingServer
from paycore.errors import DecryptionError
from paycore.textbook import encrypt_int, i2osp, os2ip

SECRET = b"wallet=9000012345;pin-offset=4821"


def parity_attack(n: int, e: int, ciphertext: int, is_odd: Callable[[int], bool]) -> int:
    """The plaintext of ``ciphertext``, from ``bitlen(n)`` questions "is this plaintext odd?".

    After ``i`` answers the digits ``a`` say ``M/n`` lies in ``[a/2^i, (a+1)/2^i)``; once
    ``2^k > n`` that interval is shorter than 1 and holds exactly one integer.
    """
    doubler = pow(2, e, n)
    k = n.bit_length()
    digits = 0
    c = ciphertext
    for _ in range(k):
        c = c * doubler % n
        digits = 2 * digits + (1 if is_odd(c) else 0)
    return ceil_div(digits * n, 1 << k)


def run_vulnerable() -> Outcome:
    key = teaching_key(1024)
    server = ParityLeakingServer(key)
    wire = encrypt_int(key.public_key(), os2ip(SECRET))
    oracle = Oracle(server.is_odd, budget=2 * key.n.bit_length(), name="parity")
    with Stopwatch() as watch:
        recovered = parity_attack(key.n, key.e, wire, oracle)
    return Outcome(
        target="textbook server leaking parity",
        succeeded=recovered == os2ip(SECRET),
        work=Work(queries=oracle.queries, seconds=watch.seconds),
        detail=f"{oracle.queries} one-bit answers (log2 n) gave {i2osp(recovered, len(SECRET))!r}",
    )


def run_production() -> Outcome:
    key = production_key()
    n, e = public_numbers(key)
    k = (n.bit_length() + 7) // 8
    wire = secure.oaep_encrypt(key.public_key(), SECRET)
    oracle = Oracle(
        lambda c: secure.oaep_decrypt(key, i2osp(c, k))[-1] % 2 == 1, budget=2 * n.bit_length(), name="parity"
    )
    with Stopwatch() as watch:
        try:
            parity_attack(n, e, os2ip(wire), oracle)
            failure = None
        except DecryptionError as exc:
            failure = exc
    return Outcome(
        target="paycore.secure OAEP server",
        succeeded=failure is None,
        work=Work(queries=oracle.queries, seconds=watch.seconds),
        detail=f"the doubled ciphertext is not valid OAEP: no plaintext, no parity ({failure!r})",
    )


ATTACK = register(
    Attack(
        number=9,
        name="parity-oracle",
        title="RSA parity oracle",
        source="Cryptopals challenge 46; Alexi, Chor, Goldreich & Schnorr, SIAM J. Comput. (1988)",
        defence="OAEP: tampered ciphertexts have no plaintext to leak a bit of",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
