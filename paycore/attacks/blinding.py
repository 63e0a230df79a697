"""Attack 8: the unpadded message recovery oracle -- blind a ciphertext the server will not repeat.

A server that decrypts textbook ciphertexts but refuses to decrypt the *same* one twice (to
stop replays) still decrypts everything else. The attacker who captured ``C`` sends
``C' = C * r^e mod n`` for a random ``r``: a new ciphertext, so the server decrypts it, and
returns ``M' = M * r``. Multiplying by ``r^-1 mod n`` gives ``M``. Blinding is the trick RSA
implementations use *against* timing attacks; here it defeats a naive replay filter.

Defence: padding with an integrity check. ``C * r^e`` is not a valid OAEP ciphertext, so the
production server answers :class:`~paycore.errors.DecryptionError` and reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from paycore import secure
from paycore.attacks.keyring import production_key, public_numbers, teaching_key
from paycore.attacks.oracle import Oracle
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.targets import RefusesRepeatsServer, RepeatRefused
from paycore.errors import DecryptionError
from paycore.textbook import encrypt_int, i2osp, modinv, os2ip

SECRET = b"cvv=123;card=6222021234567890"


def blinding_attack(n: int, e: int, ciphertext: int, decrypt: Callable[[int], int], r: int = 2) -> int:
    """Recover the plaintext of ``ciphertext`` by asking ``decrypt`` about ``ciphertext * r^e`` instead."""
    blinded = ciphertext * pow(r, e, n) % n
    return decrypt(blinded) * modinv(r, n) % n


def run_vulnerable() -> Outcome:
    key = teaching_key(1024)
    server = RefusesRepeatsServer(key)
    wire = encrypt_int(key.public_key(), os2ip(SECRET))
    server.decrypt(wire)  # the legitimate exchange the attacker eavesdropped on
    oracle = Oracle(server.decrypt, budget=10, name="decryption server")
    with Stopwatch() as watch:
        try:
            oracle(wire)
            refused = False
        except RepeatRefused:
            refused = True
        recovered = blinding_attack(key.n, key.e, wire, oracle)
    return Outcome(
        target="textbook server refusing repeats",
        succeeded=refused and recovered == os2ip(SECRET),
        work=Work(queries=oracle.queries, seconds=watch.seconds),
        detail=f"C itself was refused; C * 2^e was not, and (2M) / 2 = {i2osp(recovered, len(SECRET))!r}",
    )


def run_production() -> Outcome:
    key = production_key()
    n, e = public_numbers(key)
    seen: set[bytes] = set()

    def server(ciphertext: bytes) -> bytes:
        if ciphertext in seen:
            raise DecryptionError("this ciphertext was decrypted before")
        seen.add(ciphertext)
        return secure.oaep_decrypt(key, ciphertext)

    wire = secure.oaep_encrypt(key.public_key(), SECRET)
    server(wire)
    oracle = Oracle(lambda c: os2ip(server(i2osp(c, len(wire)))), budget=10, name="OAEP server")
    with Stopwatch() as watch:
        try:
            blinding_attack(n, e, os2ip(wire), oracle)
            failure = None
        except DecryptionError as exc:
            failure = exc
    return Outcome(
        target="paycore.secure OAEP server, same rule",
        succeeded=failure is None,
        work=Work(queries=oracle.queries, seconds=watch.seconds),
        detail=f"the blinded ciphertext is not valid OAEP: DecryptionError({failure})",
    )


ATTACK = register(
    Attack(
        number=8,
        name="unpadded-recovery-oracle",
        title="Unpadded message recovery oracle (blinding)",
        source="Cryptopals challenge 41; Davida (1982), chosen-ciphertext blinding",
        defence="OAEP: a blinded ciphertext fails its check (DecryptionError)",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
