"""Attack 4: Hastad's broadcast attack -- one message, three recipients, e = 3.

A message too long for the plain cube root (``M^3 > n``) is still lost if it is sent, unpadded,
to three people whose keys all have ``e = 3``. The three ciphertexts say
``X = M^3 (mod n_1)``, ``(mod n_2)`` and ``(mod n_3)``; the Chinese Remainder Theorem glues them
into ``X = M^3 mod n_1 n_2 n_3``, and since ``M < n_i`` for each i, ``M^3 < n_1 n_2 n_3``: again
an exact cube, whose integer root is ``M``.

Defence: randomised padding gives every recipient a *different* encoded message, so there is
no common ``M^3`` to reassemble; ``e = 65537`` would also need 65537 recipients.
"""

from __future__ import annotations

from collections.abc import Sequence

from paycore import secure
from paycore.attacks.intmath import crt, integer_root
from paycore.attacks.keyring import production_keys, public_numbers, teaching_key
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.textbook import encrypt_int, i2osp, os2ip

NOTICE = b'{"amount_fen":1234500,"card":"6222021234567890","merchant":"M-1001","order":"A20261127001"}'
"""The broadcast: about 740 bits, so NOTICE^3 is far bigger than one 1024-bit modulus."""


def hastad_broadcast(ciphertexts: Sequence[int], moduli: Sequence[int], e: int = 3) -> int | None:
    """The common plaintext of ``ciphertexts`` (one per modulus, same ``e``), or ``None`` if not found."""
    combined, _ = crt(ciphertexts, moduli)
    root, exact = integer_root(combined, e)
    return root if exact else None


def run_vulnerable() -> Outcome:
    publics = [teaching_key(1024, e=3, label=f"hastad recipient {i}").public_key() for i in (1, 2, 3)]
    m = os2ip(NOTICE)
    wire = [encrypt_int(public, m) for public in publics]
    with Stopwatch() as watch:
        alone = integer_root(wire[0], 3)[1]
        recovered = hastad_broadcast(wire, [public.n for public in publics])
    text = None if recovered is None else i2osp(recovered, len(NOTICE))
    return Outcome(
        target="3 x textbook RSA-1024, e = 3",
        succeeded=text == NOTICE,
        work=Work(seconds=watch.seconds),
        detail=(
            f"one ciphertext alone is {'an' if alone else 'no'} exact cube (M^3 > n); the CRT over three "
            f"gives M^3 mod n1*n2*n3 = M^3 and its cube root, {len(NOTICE)} bytes of notice"
        ),
    )


def run_production() -> Outcome:
    keys = production_keys(3)
    wire = [os2ip(secure.oaep_encrypt(key.public_key(), NOTICE)) for key in keys]
    moduli = [public_numbers(key)[0] for key in keys]
    e = public_numbers(keys[0])[1]
    with Stopwatch() as watch:
        results = {hastad_broadcast(wire, moduli, exponent) for exponent in (3, e)}
    return Outcome(
        target="3 x paycore.secure OAEP",
        succeeded=os2ip(NOTICE) in results,
        work=Work(seconds=watch.seconds),
        detail=(
            f"no exact cube or {e}-th power after the CRT: OAEP gave each recipient a different "
            f"encoded block, and e = {e} would need {e} recipients anyway"
        ),
    )


ATTACK = register(
    Attack(
        number=4,
        name="hastad-broadcast",
        title="Hastad's broadcast attack: same message to three recipients, e = 3",
        source="J. Hastad, Solving Simultaneous Modular Equations of Low Degree, SIAM J. Comput. (1988)",
        defence="randomised padding (a different block per recipient), and e = 65537",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
