"""Attack 7: the factoring methods against sympy, the weak keys they break, and the GNFS estimate."""

import math
from itertools import combinations

import pytest
import sympy

from paycore.attacks.factoring import batch_gcd, fermat, pollard_rho, product_tree, trial_division
from paycore.attacks.factoring_curve import (
    ANCHOR,
    RECORDS,
    CurvePoint,
    estimate_table,
    fit_exponential,
    gnfs_core_years,
    gnfs_log_work,
    measure_factoring_curve,
)
from paycore.attacks.weak_keys import close_primes_key, shared_prime_keys
from paycore.textbook import generate_private_key, random_prime, teaching_rng


def sympy_factors(n):
    return {int(p) for p in sympy.factorint(n)}


@pytest.mark.parametrize("bits", [20, 32, 40])
def test_trial_division_finds_the_smallest_prime(bits):
    key = generate_private_key(bits, rng=teaching_rng(f"tests trial {bits}"))
    factor, steps = trial_division(key.n)
    assert factor == min(sympy_factors(key.n))
    assert steps > 0


def test_trial_division_handles_even_numbers_and_primes():
    assert trial_division(2 * 1009) == (2, 1)
    assert trial_division(1009)[0] is None


@pytest.mark.parametrize("bits", [32, 48, 64])
def test_pollard_rho_factors_small_moduli(bits):
    key = generate_private_key(bits, rng=teaching_rng(f"tests rho {bits}"))
    factor, _ = pollard_rho(key.n)
    assert factor in sympy_factors(key.n) and factor in (key.p, key.q)


def test_pollard_rho_on_numbers_with_several_factors():
    for n in (8051, 10403, 455459, 2**2 * 3 * 1009, 1000003 * 999983 * 7):
        factor, _ = pollard_rho(n)
        assert factor is not None and 1 < factor < n and n % factor == 0


def test_fermat_splits_close_primes_at_once():
    key = close_primes_key(1024, 200, teaching_rng("tests fermat"))
    factor, steps = fermat(key.n)
    assert factor in (key.p, key.q) and steps == 1
    assert abs(key.p - key.q).bit_length() <= 202


def test_fermat_works_step_by_step_on_a_small_example():
    assert fermat(5959) == (59, 3)  # 5959 = 59 * 101: a = 78, 79 fail; a = 80 gives 80^2 - 5959 = 21^2
    assert fermat(49) == (7, 0)


def test_product_tree_levels():
    assert product_tree([2, 3, 5, 7, 11]) == [[2, 3, 5, 7, 11], [6, 35, 11], [210, 11], [2310]]


def test_batch_gcd_equals_pairwise_gcds():
    keys, states = shared_prime_keys(12, 256, 8, teaching_rng("tests batch"))
    moduli = [key.n for key in keys]
    expected = [1] * len(moduli)
    for i, j in combinations(range(len(moduli)), 2):
        shared = math.gcd(moduli[i], moduli[j])
        if shared != 1:
            expected[i] = math.lcm(expected[i], shared)
            expected[j] = math.lcm(expected[j], shared)
    assert batch_gcd(moduli) == expected
    weak = {i for i, s in enumerate(states) if states.count(s) > 1}
    assert weak and {i for i, g in enumerate(expected) if g != 1} == weak
    for i in weak:
        assert batch_gcd(moduli)[i] == keys[i].p  # devices with the same boot state share p


def test_batch_gcd_finds_nothing_among_independent_keys(production_2048):
    from tests.conftest import load_pinned_key

    moduli = [load_pinned_key(bits).public_key().public_numbers().n for bits in (1024, 2048, 3072)]
    assert batch_gcd(moduli) == [1, 1, 1]
    with pytest.raises(ValueError, match="at least two"):
        batch_gcd(moduli[:1])


def test_every_method_gives_up_on_a_production_modulus(production_2048):
    n = production_2048.public_key().public_numbers().n
    assert trial_division(n, budget=2_000) == (None, 2_000)
    factor, steps = pollard_rho(n, budget=2_000)
    assert factor is None and steps >= 2_000
    assert fermat(n, budget=2_000) == (None, 2_000)


def test_gnfs_log_work_is_the_l_function():
    for bits in (512, 1024, 2048):
        ln_n = sympy.log(sympy.Integer(2) ** bits)
        expected = (sympy.Rational(64, 9) ** sympy.Rational(1, 3)) * ln_n ** sympy.Rational(1, 3)
        expected *= sympy.log(ln_n) ** sympy.Rational(2, 3)
        assert gnfs_log_work(bits) == pytest.approx(float(expected), rel=1e-12)


def test_gnfs_estimate_is_anchored_and_grows():
    assert gnfs_core_years(ANCHOR.bits) == pytest.approx(ANCHOR.core_years)
    years = [gnfs_core_years(bits) for bits in (512, 768, 1024, 2048)]
    assert years == sorted(years)
    # sanity against the other published records: within a factor of 10 of the scaled curve
    for record in RECORDS:
        if record.core_years is not None:
            assert 0.1 < gnfs_core_years(record.bits) / record.core_years < 10
    table = estimate_table()
    assert [row[0] for row in table] == [512, 1024, 2048]
    assert table[0][1] < 1 < 1e14 < table[2][1]  # 512 bits: under a core-year; 2048: beyond reach


def test_measured_curve_points_and_fit():
    points = measure_factoring_curve(sizes=(20, 28, 36), samples=2, seed="tests curve")
    assert [p.bits for p in points] == [20, 28, 36]
    assert all(p.seconds > 0 and p.steps > 0 and p.samples == 2 for p in points)


def test_fit_exponential_recovers_a_known_line():
    points = [CurvePoint(bits, 2 ** (-20 + bits / 4), 0, 1) for bits in (24, 32, 40, 48)]
    a, b = fit_exponential(points)
    assert a == pytest.approx(-20) and b == pytest.approx(0.25)
    with pytest.raises(ValueError):
        fit_exponential(points[:1])


def test_shared_prime_population_is_reproducible():
    first, _ = shared_prime_keys(4, 128, 3, teaching_rng("tests same"))
    second, _ = shared_prime_keys(4, 128, 3, teaching_rng("tests same"))
    assert [k.n for k in first] == [k.n for k in second]
    assert all(sympy.isprime(k.p) and sympy.isprime(k.q) for k in first)
    assert random_prime(16, rng=teaching_rng(1)) > 0
