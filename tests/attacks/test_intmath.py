"""Roots, the CRT and continued fractions, checked against sympy."""

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.ntheory.continued_fraction import continued_fraction, continued_fraction_convergents
from sympy.ntheory.modular import crt as sympy_crt

from paycore.attacks.intmath import ceil_div, convergents, crt, integer_root
from paycore.attacks.intmath import continued_fraction as cf


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=2**3000), st.integers(min_value=1, max_value=70))
def test_integer_root_matches_sympy(x, k):
    root, exact = integer_root(x, k)
    expected_root, expected_exact = sympy.integer_nthroot(x, k)
    assert (root, exact) == (int(expected_root), expected_exact)


@given(st.integers(min_value=0, max_value=2**700), st.sampled_from([2, 3, 5, 17]))
def test_integer_root_of_a_perfect_power_is_exact(base, k):
    assert integer_root(base**k, k) == (base, True)
    assert integer_root(base**k + 1, k) == (base, False) or base == 0


def test_a_huge_exponent_is_cheap():
    assert integer_root(3**65537, 65537) == (3, True)
    assert integer_root(2**2048 - 1, 65537) == (1, False)


@pytest.mark.parametrize(("x", "k"), [(-1, 2), (4, 0), (2.0, 2), (True, 2)])
def test_integer_root_refuses_bad_input(x, k):
    with pytest.raises(ValueError):
        integer_root(x, k)


@given(st.lists(st.integers(min_value=2, max_value=10**30), min_size=1, max_size=4), st.data())
def test_crt_matches_sympy(moduli, data):
    moduli = [m for i, m in enumerate(moduli) if all(sympy.gcd(m, other) == 1 for other in moduli[:i])]
    residues = [data.draw(st.integers(min_value=0, max_value=m - 1)) for m in moduli]
    x, big_n = crt(residues, moduli)
    expected_x, expected_n = sympy_crt(moduli, residues)
    assert (x, big_n) == (int(expected_x), int(expected_n))


def test_crt_refuses_moduli_that_share_a_factor():
    with pytest.raises(ValueError, match="no inverse"):
        crt([1, 2], [6, 9])
    with pytest.raises(ValueError, match="one residue per modulus"):
        crt([1], [5, 7])


@given(st.integers(min_value=0, max_value=2**512), st.integers(min_value=1, max_value=2**512))
def test_continued_fraction_and_convergents_match_sympy(numerator, denominator):
    expected = [int(a) for a in continued_fraction(sympy.Rational(numerator, denominator))]
    assert list(cf(numerator, denominator)) == expected
    expected_convergents = [(int(c.p), int(c.q)) for c in continued_fraction_convergents(expected)]
    assert list(convergents(numerator, denominator)) == expected_convergents


@given(st.integers(min_value=-(10**40), max_value=10**40), st.integers(min_value=1, max_value=10**20))
def test_ceil_div_matches_sympy(a, b):
    assert ceil_div(a, b) == int(sympy.ceiling(sympy.Rational(a, b)))
