"""Attack 3: e = 3, no padding, a short message -- take the integer cube root.

With ``e = 3`` a 16-digit card number sent as 16 ASCII bytes is a 128-bit ``M``, and ``M^3`` has
at most 384 bits, far below a 1024-bit ``n``. The "reduction mod n" never happens, so ``C = M^3``
exactly, and the ordinary integer cube root of ``C`` is ``M``. No factoring, no private key.

Defence: padding that fills the block. OAEP makes the encoded message as long as ``n``, so
``EM^e`` wraps around ``n`` many times and ``C`` is no perfect power; and the production path
uses ``e = 65537``.
"""

from __future__ import annotations

from paycore import secure
from paycore.attacks.intmath import integer_root
from paycore.attacks.keyring import production_key, public_numbers, teaching_key
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.textbook import encrypt_int, i2osp, os2ip

CARD_NUMBER = b"6222021234567890"
"""A made-up 16-digit card number (a test value, not a real card)."""


def cube_root_attack(ciphertext: int, e: int = 3) -> int | None:
    """The plaintext if ``ciphertext`` is an exact ``e``-th power (``M^e < n``), else ``None``."""
    root, exact = integer_root(ciphertext, e)
    return root if exact else None


def run_vulnerable() -> Outcome:
    public = teaching_key(1024, e=3).public_key()
    wire = encrypt_int(public, os2ip(CARD_NUMBER))
    with Stopwatch() as watch:
        recovered = cube_root_attack(wire, public.e)
    text = None if recovered is None else i2osp(recovered, len(CARD_NUMBER))
    return Outcome(
        target="textbook RSA-1024, e = 3, no padding",
        succeeded=text == CARD_NUMBER,
        work=Work(seconds=watch.seconds),
        detail=f"C has only {wire.bit_length()} bits (M^3 < n): its cube root is the card number {text!r}",
    )


def run_production() -> Outcome:
    key = production_key()
    _, e = public_numbers(key)
    wire = os2ip(secure.oaep_encrypt(key.public_key(), CARD_NUMBER))
    with Stopwatch() as watch:
        for_e = cube_root_attack(wire, e)
        for_3 = cube_root_attack(wire, 3)
    return Outcome(
        target="paycore.secure OAEP, e = 65537",
        succeeded=os2ip(CARD_NUMBER) in (for_e, for_3),
        work=Work(seconds=watch.seconds),
        detail=(
            f"C has {wire.bit_length()} bits and is no exact cube or {e}-th power: OAEP fills the block, "
            "so EM^e wraps around n"
        ),
    )


ATTACK = register(
    Attack(
        number=3,
        name="cube-root",
        title="e = 3 and no padding: the integer cube root",
        source="D. Boneh, Twenty Years of Attacks on the RSA Cryptosystem (1999), section 4",
        defence="padding that fills the block (OAEP), and e = 65537",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
