"""Attack 5: common modulus -- one message encrypted under two exponents of the same ``n``.

An operator who hands two users the same modulus with different exponents ``e1, e2`` (coprime)
has lost every message sent to both. Euclid gives ``a, b`` with ``a*e1 + b*e2 = 1``, and then
``C1^a * C2^b = M^(a*e1 + b*e2) = M (mod n)``: no private key involved (a negative power is a
power of the modular inverse).

Defence: never share a modulus -- :func:`paycore.secure.generate_private_key` draws fresh
primes for every key -- and randomised padding: even under a shared modulus, two OAEP
encryptions of one message are two *different* blocks, so the identity has nothing to combine.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.attacks.keyring import production_key, teaching_key
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.weak_keys import shared_modulus_sibling
from paycore.textbook import RSAPrivateKey, egcd, encrypt_int, i2osp, os2ip

MESSAGE = b"refund 1234500 fen to card 6222021234567890"


def common_modulus_attack(n: int, e1: int, c1: int, e2: int, c2: int) -> int | None:
    """The ``M`` with ``C1 = M^e1`` and ``C2 = M^e2 (mod n)``, or ``None`` if the ciphertexts disagree."""
    g, a, b = egcd(e1, e2)
    if g != 1:
        raise ValueError(f"the exponents share the factor {g}; the attack needs gcd(e1, e2) = 1")
    m = pow(c1, a, n) * pow(c2, b, n) % n  # pow with a negative power inverts first
    return m if pow(m, e1, n) == c1 else None


def run_vulnerable() -> Outcome:
    key = teaching_key(1024)
    sibling = shared_modulus_sibling(key)
    m = os2ip(MESSAGE)
    c1, c2 = encrypt_int(key.public_key(), m), encrypt_int(sibling.public_key(), m)
    with Stopwatch() as watch:
        recovered = common_modulus_attack(key.n, key.e, c1, sibling.e, c2)
    text = None if recovered is None else i2osp(recovered, len(MESSAGE))
    return Outcome(
        target=f"textbook RSA-1024, e = {key.e} & {sibling.e}, one n",
        succeeded=text == MESSAGE,
        work=Work(seconds=watch.seconds),
        detail=f"C1^a * C2^b with a*{key.e} + b*{sibling.e} = 1 gives {text!r}",
    )


def misissued_twin(key: rsa.RSAPrivateKey) -> rsa.RSAPrivateKey:
    """A ``cryptography`` key on ``key``'s modulus with another ``e`` (a mistake paycore never makes)."""
    numbers = key.private_numbers()
    twin = shared_modulus_sibling(RSAPrivateKey(numbers.p, numbers.q, numbers.public_numbers.e, numbers.d))
    public = rsa.RSAPublicNumbers(twin.e, twin.n)
    return rsa.RSAPrivateNumbers(twin.p, twin.q, twin.d, twin.dp, twin.dq, twin.qinv, public).private_key()


def run_production() -> Outcome:
    key = production_key()
    twin = misissued_twin(key)
    n, e1 = key.public_key().public_numbers().n, key.public_key().public_numbers().e
    e2 = twin.public_key().public_numbers().e
    c1 = os2ip(secure.oaep_encrypt(key.public_key(), MESSAGE))
    c2 = os2ip(secure.oaep_encrypt(twin.public_key(), MESSAGE))
    with Stopwatch() as watch:
        recovered = common_modulus_attack(n, e1, c1, e2, c2)
    return Outcome(
        target="paycore.secure OAEP, misissued shared n",
        succeeded=recovered is not None,
        work=Work(seconds=watch.seconds),
        detail=(
            "C1^a * C2^b does not decrypt C1: the two OAEP blocks differ (fresh seeds), so there is "
            "no single M to recover; and secure.generate_private_key never shares a modulus"
        ),
    )


ATTACK = register(
    Attack(
        number=5,
        name="common-modulus",
        title="Common modulus: one message under two exponents of the same n",
        source="G. Simmons, A 'weak' privacy protocol using the RSA crypto algorithm, Cryptologia (1983)",
        defence="one fresh modulus per key pair; randomised padding",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
