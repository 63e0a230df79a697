"""Attack 2: malleability -- multiply a textbook ciphertext to change the amount charged.

RSA is multiplicative: ``E(a) * E(b) = a^e * b^e = (a*b)^e = E(a*b) (mod n)``. Whoever sees an
encrypted amount ``C = E(12345)`` on the wire can send ``C * 100^e mod n`` instead, and the
gateway decrypts 1234500 -- without the attacker ever learning the amount or any key.
Encryption alone does not protect integrity.

Defence: padding with an integrity check. A multiplied OAEP ciphertext decrypts to a block
whose structure (``lHash``, the ``0x01`` separator) is destroyed, so decryption fails with
:class:`~paycore.errors.DecryptionError`; and the payment flow signs every request as well.
"""

from __future__ import annotations

from paycore import secure
from paycore.attacks.dictionary import amount_bytes
from paycore.attacks.keyring import production_key, public_numbers, teaching_key
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.targets import TextbookGateway
from paycore.errors import DecryptionError
from paycore.textbook import encrypt_int, i2osp, os2ip

AMOUNT = 12_345
FACTOR = 100


def scale_ciphertext(n: int, e: int, ciphertext: int, factor: int) -> int:
    """``C * factor^e mod n``: a ciphertext of ``factor`` times whatever ``C`` encrypts."""
    return ciphertext * pow(factor, e, n) % n


def run_vulnerable() -> Outcome:
    key = teaching_key(1024)
    public = key.public_key()
    gateway = TextbookGateway(key)
    wire = encrypt_int(public, AMOUNT)
    with Stopwatch() as watch:
        tampered = scale_ciphertext(public.n, public.e, wire, FACTOR)
    charged = gateway.charge(tampered)
    return Outcome(
        target="textbook RSA-1024 gateway",
        succeeded=charged == AMOUNT * FACTOR,
        work=Work(seconds=watch.seconds),
        detail=f"the gateway decrypted {charged} fen instead of {AMOUNT} (x{FACTOR}), no key needed",
    )


def run_production() -> Outcome:
    key = production_key()
    n, e = public_numbers(key)
    wire = secure.oaep_encrypt(key.public_key(), amount_bytes(AMOUNT))
    with Stopwatch() as watch:
        tampered = i2osp(scale_ciphertext(n, e, os2ip(wire), FACTOR), len(wire))
    try:
        charged = int(secure.oaep_decrypt(key, tampered))
    except DecryptionError as exc:
        return Outcome(
            target="paycore.secure OAEP gateway",
            succeeded=False,
            work=Work(seconds=watch.seconds),
            detail=f"the gateway refused the multiplied ciphertext: DecryptionError({exc})",
        )
    return Outcome(  # pragma: no cover - would mean OAEP's check is broken
        target="paycore.secure OAEP gateway",
        succeeded=charged == AMOUNT * FACTOR,
        work=Work(seconds=watch.seconds),
        detail=f"the gateway decrypted {charged}",
    )


ATTACK = register(
    Attack(
        number=2,
        name="malleability",
        title="Malleability: multiply a ciphertext to change the amount",
        source="Boneh, Twenty Years of Attacks on the RSA Cryptosystem (1999); RSA's multiplicative property",
        defence="OAEP's integrity check (DecryptionError) plus a signature on every request",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
