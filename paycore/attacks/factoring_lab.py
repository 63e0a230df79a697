"""Attack 7: factoring weak moduli -- tiny ``n``, close primes, and primes shared between keys.

Three entries in the matrix, one per kind of weak key:

* **7a** a tiny modulus (the textbook generator will make a 64-bit one for the lab): trial
  division and Pollard rho factor it at once;
* **7b** close primes (``p`` and ``q`` share their top bits): Fermat's method, in one step;
* **7c** a prime shared between two keys (devices with too little entropy at boot): batch GCD.

Each production run points the same code at 2048-bit keys from :mod:`paycore.secure`, with a
budget; it gives up, and the detail quotes the GNFS estimate for the size (an estimate, see
:mod:`paycore.attacks.factoring_curve`).
"""

from __future__ import annotations

from paycore.attacks.factoring import batch_gcd, fermat, pollard_rho, trial_division
from paycore.attacks.factoring_curve import describe_years, gnfs_core_years
from paycore.attacks.keyring import production_key, production_keys, public_numbers
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.attacks.weak_keys import close_primes_key, shared_prime_keys
from paycore.textbook import generate_private_key, teaching_rng

BUDGET = 20_000
"""Steps each method may spend on a production modulus before the lab calls it off."""


def _out_of_reach(bits: int) -> str:
    return f"GNFS estimate for {bits} bits: ~{describe_years(gnfs_core_years(bits))} of one core"


def run_tiny_vulnerable() -> Outcome:
    small = generate_private_key(32, rng=teaching_rng("attack 7a tiny"))
    larger = generate_private_key(64, rng=teaching_rng("attack 7a small"))
    with Stopwatch() as watch:
        by_division, divisions = trial_division(small.n)
        by_rho, rho_steps = pollard_rho(larger.n)
    return Outcome(
        target="textbook RSA-32 and RSA-64",
        succeeded=by_division in (small.p, small.q) and by_rho in (larger.p, larger.q),
        work=Work(guesses=divisions + rho_steps, seconds=watch.seconds),
        detail=f"trial division split the 32-bit n in {divisions:,} steps, rho the 64-bit n in {rho_steps:,}",
    )


def run_tiny_production() -> Outcome:
    n, _ = public_numbers(production_key())
    with Stopwatch() as watch:
        by_division, divisions = trial_division(n, BUDGET)
        by_rho, rho_steps = pollard_rho(n, BUDGET)
    return Outcome(
        target="paycore.secure RSA-2048",
        succeeded=by_division is not None or by_rho is not None,
        work=Work(guesses=divisions + rho_steps, seconds=watch.seconds),
        detail=f"trial division and rho gave up at their budgets; {_out_of_reach(n.bit_length())}",
    )


def run_fermat_vulnerable() -> Outcome:
    key = close_primes_key(1024, 200, teaching_rng("attack 7b close primes"))
    with Stopwatch() as watch:
        factor, steps = fermat(key.n)
    shared = 512 - (key.p - key.q).bit_length()
    return Outcome(
        target=f"textbook RSA-1024, p, q share {shared} top bits",
        succeeded=factor in (key.p, key.q),
        work=Work(guesses=steps, seconds=watch.seconds),
        detail=f"step {steps}: a^2 - n = b^2 for a near sqrt(n), so n = (a - b)(a + b)",
    )


def run_fermat_production() -> Outcome:
    n, _ = public_numbers(production_key())
    with Stopwatch() as watch:
        factor, steps = fermat(n, BUDGET)
    return Outcome(
        target="paycore.secure RSA-2048",
        succeeded=factor is not None,
        work=Work(guesses=steps, seconds=watch.seconds),
        detail="no square a^2 - n within the budget: OpenSSL's primes are independent, |p - q| ~ 2^1023",
    )


def shared_prime_population():
    """16 keys from 'devices' with only 64 possible boot states: a few share a prime."""
    return shared_prime_keys(16, 512, 64, teaching_rng("attack 7c devices"))


def run_batch_vulnerable() -> Outcome:
    keys, _ = shared_prime_population()
    with Stopwatch() as watch:
        gcds = batch_gcd([key.n for key in keys])
    broken = [i for i, (g, key) in enumerate(zip(gcds, keys, strict=True)) if g in (key.p, key.q)]
    weak = [i for i, key in enumerate(keys) if any(other.p == key.p for other in keys if other is not key)]
    return Outcome(
        target=f"{len(keys)} textbook RSA-512, low-entropy boot",
        succeeded=bool(weak) and broken == weak,
        work=Work(seconds=watch.seconds),
        detail=f"product and remainder trees factored keys {broken}: all {len(weak)} that share a prime",
    )


def run_batch_production() -> Outcome:
    keys = production_keys(8)
    with Stopwatch() as watch:
        gcds = batch_gcd([public_numbers(key)[0] for key in keys])
    return Outcome(
        target=f"{len(keys)} x paycore.secure RSA-2048",
        succeeded=any(g != 1 for g in gcds),
        work=Work(seconds=watch.seconds),
        detail=f"every gcd is 1: {len(keys)} keys from the OS CSPRNG share no prime",
    )


_SOURCE_RHO = (
    "J. M. Pollard, A Monte Carlo method for factorization, BIT (1975); "
    "Cavallar et al., Factorization of a 512-bit RSA modulus (2000)"
)
TINY = register(
    Attack(
        number=7,
        variant="a",
        name="factor-tiny-modulus",
        title="Factoring a tiny modulus: trial division, Pollard rho",
        source=_SOURCE_RHO,
        defence="2048-bit keys or more (512-bit RSA-155 fell in 1999)",
        vulnerable=run_tiny_vulnerable,
        production=run_tiny_production,
    )
)
FERMAT = register(
    Attack(
        number=7,
        variant="b",
        name="fermat-close-primes",
        title="Fermat's method on close primes",
        source="Fermat's factorisation method; H. Bock, CVE-2022-26320 (2022)",
        defence="independent random primes; |p - q| > 2^(nlen/2 - 100) (FIPS 186-5)",
        vulnerable=run_fermat_vulnerable,
        production=run_fermat_production,
    )
)
BATCH = register(
    Attack(
        number=7,
        variant="c",
        name="batch-gcd-shared-prime",
        title="Batch GCD: a prime shared between keys",
        source="Heninger et al., Mining Your Ps and Qs (USENIX Security 2012); Bernstein's product trees",
        defence="key generation seeded from a well-filled CSPRNG (the OS)",
        vulnerable=run_batch_vulnerable,
        production=run_batch_production,
    )
)
