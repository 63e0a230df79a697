"""The RSA operations checked against sympy's `encipher_rsa` / `decipher_rsa` and `cryptography`."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.crypto.crypto import decipher_rsa, encipher_rsa

from paycore.errors import InvalidSignature
from paycore.textbook import (
    RSAPrivateKey,
    decrypt_int,
    decrypt_int_no_crt,
    encrypt_int,
    sign_int,
    verify_int,
)
from tests.conftest import load_pinned_key


def test_classic_encryption(classic_key):
    assert encrypt_int(classic_key.public_key(), 65) == 2790
    assert decrypt_int(classic_key, 2790) == 65
    assert decrypt_int_no_crt(classic_key, 2790) == 65


def test_every_message_of_the_classic_key_round_trips(classic_key):
    public = classic_key.public_key()
    for m in range(classic_key.n):
        c = encrypt_int(public, m)
        assert c == encipher_rsa(m, (classic_key.n, classic_key.e))
        assert decrypt_int(classic_key, c) == m == decipher_rsa(c, (classic_key.n, classic_key.d))


@pytest.fixture(scope="module")
def rebuilt_key(pinned_key):
    """A pinned OpenSSL key rebuilt as a textbook key from its primes, with its public numbers."""
    numbers = pinned_key.private_numbers()
    return RSAPrivateKey.from_primes(numbers.p, numbers.q, numbers.public_numbers.e), numbers.public_numbers


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_round_trips_match_sympy_and_cryptography(data, rebuilt_key):
    key, public_numbers = rebuilt_key
    m = data.draw(st.integers(min_value=0, max_value=key.n - 1))
    c = encrypt_int(key.public_key(), m)
    assert c == encipher_rsa(m, (key.n, key.e)) == pow(m, public_numbers.e, public_numbers.n)
    assert decrypt_int(key, c) == m == decrypt_int_no_crt(key, c)
    assert decipher_rsa(c, (key.n, key.d)) == m


@settings(max_examples=40, deadline=None)
@given(m=st.integers(min_value=0))
def test_sign_and_verify(m, teaching_key_1024):
    m %= teaching_key_1024.n
    public = teaching_key_1024.public_key()
    s = sign_int(teaching_key_1024, m)
    assert s == pow(m, teaching_key_1024.d, teaching_key_1024.n)
    assert verify_int(public, m, s) is None
    with pytest.raises(InvalidSignature):
        verify_int(public, (m + 1) % public.n, s)


def test_crt_agrees_with_cryptography_raw_private_operation():
    """The private numbers from OpenSSL, used by our CRT, give what pow(c, d, n) gives."""
    numbers = load_pinned_key(2048).private_numbers()
    key = RSAPrivateKey.from_primes(numbers.p, numbers.q, numbers.public_numbers.e)
    c = 0x1234567890ABCDEF << 1000
    assert decrypt_int(key, c) == pow(c, numbers.d, numbers.public_numbers.n)


@pytest.mark.parametrize("bad", ["65", 65.0, b"A", None, True])
def test_non_integers_are_type_errors(classic_key, bad):
    for call in (
        lambda: encrypt_int(classic_key.public_key(), bad),
        lambda: decrypt_int(classic_key, bad),
        lambda: decrypt_int_no_crt(classic_key, bad),
        lambda: sign_int(classic_key, bad),
        lambda: verify_int(classic_key.public_key(), 1, bad),
    ):
        with pytest.raises(TypeError, match="must be an int"):
            call()


@pytest.mark.parametrize("bad", [-1, 3233, 3234, 10**20])
def test_out_of_range_values_name_the_limits(classic_key, bad):
    with pytest.raises(ValueError, match=r"0 <= m < n = 3233"):
        encrypt_int(classic_key.public_key(), bad)
    with pytest.raises(ValueError, match=r"0 <= c < n = 3233"):
        decrypt_int(classic_key, bad)
    with pytest.raises(ValueError, match=r"0 <= s < n"):
        verify_int(classic_key.public_key(), 1, bad)


def test_swapped_key_roles_are_type_errors(classic_key):
    """The seed article's sample mixes up which key does what: here that cannot happen silently."""
    with pytest.raises(TypeError, match="RSAPublicKey"):
        encrypt_int(classic_key, 65)
    with pytest.raises(TypeError, match="RSAPrivateKey"):
        decrypt_int(classic_key.public_key(), 2790)
    with pytest.raises(TypeError, match="RSAPrivateKey"):
        sign_int(classic_key.public_key(), 65)
