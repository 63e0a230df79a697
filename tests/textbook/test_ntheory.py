"""Number theory checked against Python's own `pow(a, -1, m)` and sympy."""

import math

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from paycore.textbook import carmichael_lambda, egcd, euler_totient, modinv
from paycore.textbook.ntheory import are_coprime

big = st.integers(min_value=-(2**300), max_value=2**300)


@given(big, big)
def test_egcd_satisfies_bezout_and_matches_math_gcd(a, b):
    g, x, y = egcd(a, b)
    assert g == math.gcd(a, b)
    assert a * x + b * y == g


@given(st.integers(min_value=0, max_value=2**300), st.integers(min_value=2, max_value=2**300))
def test_modinv_matches_python_and_sympy(a, m):
    if math.gcd(a, m) == 1:
        inverse = modinv(a, m)
        assert inverse == pow(a, -1, m) == sympy.mod_inverse(a, m)
        assert 0 <= inverse < m
    else:
        with pytest.raises(ValueError, match="no inverse"):
            modinv(a, m)


def test_modinv_rejects_bad_arguments():
    with pytest.raises(ValueError, match="at least 2"):
        modinv(3, 1)
    with pytest.raises(TypeError, match="must be an int"):
        modinv(3.0, 7)
    with pytest.raises(TypeError, match="must be an int"):
        egcd("3", 7)
    with pytest.raises(TypeError, match="must be an int"):
        modinv(True, 7)


@pytest.mark.parametrize("primes", [(61, 53), (3, 5), (2, 3, 7), (1009, 2003, 3001), (2**31 - 1, 2**19 - 1)])
def test_totients_match_sympy(primes):
    n = math.prod(primes)
    assert euler_totient(*primes) == sympy.totient(n)
    assert carmichael_lambda(*primes) == sympy.reduced_totient(n)


def test_classic_totients():
    assert euler_totient(61, 53) == 3120
    assert carmichael_lambda(61, 53) == 780


@pytest.mark.parametrize("bad", [(), (7, 7), (1, 5), (0,)])
def test_totients_reject_bad_factorisations(bad):
    with pytest.raises(ValueError):
        euler_totient(*bad)
    with pytest.raises(ValueError):
        carmichael_lambda(*bad)


def test_are_coprime():
    assert are_coprime(17, 3120)
    assert not are_coprime(3, 3120)
