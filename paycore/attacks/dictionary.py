"""Attack 1: a dictionary attack on deterministic encryption of payment amounts.

Textbook RSA has no randomness, so an amount always encrypts to the same ciphertext, and the
encryption key is public. Amounts are small integers (minor units: 12345 fen is CNY 123.45),
so an eavesdropper simply encrypts every plausible amount and looks the intercepted
ciphertexts up. No key is broken; the plaintext space is just too small to hide in.

Defence: randomised padding. OAEP mixes a fresh random seed into every encryption, so the
attacker's encryption of the right amount never equals the one on the wire (semantic
security: Goldwasser and Micali, 1984).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from paycore import secure
from paycore.attacks.keyring import production_key, teaching_key
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.textbook import encrypt_int, teaching_rng

MAX_AMOUNT = 20_000
"""The attacker's dictionary: every amount from 1 to CNY 200.00, in fen."""


def dictionary_attack(
    encrypt: Callable[[int], Hashable], intercepted: Iterable[Hashable], candidates: Iterable[int]
) -> tuple[dict[Hashable, int], int]:
    """Encrypt each candidate amount; return ``({ciphertext: amount} for those found, guesses)``.

    ``encrypt`` is the public encryption function (anyone can run it). Stops as soon as every
    intercepted ciphertext is explained.
    """
    wanted = set(intercepted)
    found: dict[Hashable, int] = {}
    guesses = 0
    for amount in candidates:
        guesses += 1
        ciphertext = encrypt(amount)
        if ciphertext in wanted and ciphertext not in found:
            found[ciphertext] = amount
            if len(found) == len(wanted):
                break
    return found, guesses


def amount_bytes(amount: int) -> bytes:
    """An amount as the production side sends it: decimal ASCII digits of the minor units."""
    return str(amount).encode("ascii")


def payment_amounts(count: int = 5, seed: str = "attack 1 amounts") -> list[int]:
    """The amounts the victim pays (reproducible, all within the attacker's dictionary)."""
    rng = teaching_rng(seed)
    return [rng.randrange(1, MAX_AMOUNT + 1) for _ in range(count)]


def run_vulnerable() -> Outcome:
    public = teaching_key(1024).public_key()
    amounts = payment_amounts()
    wire = [encrypt_int(public, amount) for amount in amounts]
    with Stopwatch() as watch:
        found, guesses = dictionary_attack(lambda m: encrypt_int(public, m), wire, range(1, MAX_AMOUNT + 1))
    recovered = [found.get(c) for c in wire]
    return Outcome(
        target="textbook RSA-1024, no padding",
        succeeded=recovered == amounts,
        work=Work(guesses=guesses, seconds=watch.seconds),
        detail=f"read all {len(amounts)} amounts {recovered} by encrypting candidates with the public key",
    )


def run_production() -> Outcome:
    public = production_key().public_key()
    amounts = payment_amounts()
    wire = [secure.oaep_encrypt(public, amount_bytes(a)) for a in amounts]
    with Stopwatch() as watch:
        found, guesses = dictionary_attack(
            lambda m: secure.oaep_encrypt(public, amount_bytes(m)), wire, range(1, MAX_AMOUNT + 1)
        )
    return Outcome(
        target="paycore.secure OAEP-SHA256",
        succeeded=bool(found) and [found.get(c) for c in wire] == amounts,
        work=Work(guesses=guesses, seconds=watch.seconds),
        detail=(
            f"{len(found)} of {len(amounts)} amounts matched after trying all {guesses:,}: OAEP draws a "
            "fresh seed per encryption, so even the right amount encrypts to a new ciphertext"
        ),
    )


ATTACK = register(
    Attack(
        number=1,
        name="dictionary",
        title="Dictionary attack on deterministic encryption of amounts",
        source="Goldwasser & Micali, Probabilistic Encryption (1984); RFC 8017 section 7",
        defence="randomised padding (OAEP): equal amounts give unrelated ciphertexts",
        vulnerable=run_vulnerable,
        production=run_production,
    )
)
