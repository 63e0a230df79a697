"""Attack 13: the CRT fault attack -- one faulty signature and a gcd reveal a prime.

Signing with the CRT computes ``s_p = m^dP mod p`` and ``s_q = m^dQ mod q`` and glues them.
If a glitch (heat, voltage, a cosmic ray, a bug) spoils ``s_q`` but not ``s_p``, the faulty
signature ``s'`` is still right modulo ``p`` and wrong modulo ``q``. So ``s'^e - m`` is a
multiple of ``p`` but not of ``q``, and ``gcd(s'^e - m mod n, n) = p`` (Lenstra, 1996). With
a correct signature ``s`` of the same message, ``gcd(s - s', n) = p`` as well (Boneh, DeMillo
and Lipton, 1997). Both need the signed block ``m`` to be the same, or known.

Defence: check before releasing -- OpenSSL verifies every CRT result (``s^e = m``) and falls
back to the slow way if it is wrong -- and randomised PSS: the attacker cannot compute the
signed block, and two signatures of one message share nothing, so both gcds come out 1.
"""

from __future__ import annotations

from math import gcd

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.attacks.keyring import production_key, public_numbers, teaching_key
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.targets import FaultyCRTSigner, glitched_crt_power
from paycore.pkcs1 import emsa_pkcs1v15_encode
from paycore.textbook import os2ip

MESSAGE = b'{"amount_fen":12345,"order":"A20261127001","status":"PAID"}'


def lenstra_fault_attack(n: int, e: int, signed_block: int, faulty_signature: int) -> int | None:
    """A prime factor of ``n`` from one faulty signature of a known block, or ``None``."""
    g = gcd((pow(faulty_signature, e, n) - signed_block) % n, n)
    return g if 1 < g < n else None


def bdl_fault_attack(n: int, good_signature: int, faulty_signature: int) -> int | None:
    """A prime factor of ``n`` from a correct and a faulty signature of the same block, or ``None``."""
    g = gcd((good_signature - faulty_signature) % n, n)
    return g if 1 < g < n else None


def run_vulnerable() -> Outcome:
    key = teaching_key(1024)
    signer = FaultyCRTSigner(key)
    faulty = os2ip(signer.sign(MESSAGE, glitch=True))
    good = os2ip(signer.sign(MESSAGE))
    with Stopwatch() as watch:
        block = os2ip(emsa_pkcs1v15_encode(MESSAGE, key.byte_length))  # deterministic: anyone can compute it
        by_lenstra = lenstra_fault_attack(key.n, key.e, block, faulty)
        by_bdl = bdl_fault_attack(key.n, good, faulty)
    return Outcome(
        target="textbook v1.5 signer, CRT glitch",
        succeeded=by_lenstra in (key.p, key.q) and by_bdl in (key.p, key.q),
        work=Work(seconds=watch.seconds),
        detail="gcd(s'^e - EM, n) and gcd(s - s', n) each gave a prime: the key is factored",
    )


def glitched_pss_signature(key: rsa.RSAPrivateKey, message: bytes) -> tuple[int, int]:
    """SIMULATION of a fault inside a PSS signer (OpenSSL itself would catch it): ``(faulty, real)``.

    The lab, not the attacker, opens a genuine PSS signature to get its block, then redoes the
    CRT with a glitch -- the faulty signature a broken device would have released.
    """
    numbers = key.private_numbers()
    n, e = public_numbers(key)
    real = os2ip(secure.sign(key, message))
    block = pow(real, e, n)  # the PSS block, with its secret random salt inside
    faulty = glitched_crt_power(block, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1, numbers.iqmp)
    return faulty, real


def run_production() -> Outcome:
    key = production_key()
    n, e = public_numbers(key)
    faulty, _ = glitched_pss_signature(key, MESSAGE)
    another = os2ip(secure.sign(key, MESSAGE))  # the attacker asks for a second, correct signature
    k = (n.bit_length() + 7) // 8
    with Stopwatch() as watch:
        guess = os2ip(emsa_pkcs1v15_encode(MESSAGE, k))  # the only block the attacker can compute
        by_lenstra = lenstra_fault_attack(n, e, guess, faulty)
        by_bdl = bdl_fault_attack(n, another, faulty)
    return Outcome(
        target="paycore.secure PSS, simulated glitch",
        succeeded=by_lenstra is not None or by_bdl is not None,
        work=Work(seconds=watch.seconds),
        detail=(
            "both gcds are 1: PSS's random salt hides the signed block and makes every signature of "
            "the message different (and OpenSSL checks each CRT result, so no faulty signature leaves it)"
        ),
    )


ATTACK = register(
    Attack(
        number=13,
        name="crt-fault",
        title="CRT fault attack: one faulty signature and a gcd",
        source="Boneh, DeMillo & Lipton, EUROCRYPT 1997; A. Lenstra, memo on signatures and faults (1996)",
        defence="verify each CRT result before release (OpenSSL does); randomised PSS",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
