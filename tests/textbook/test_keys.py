"""Textbook keys checked against sympy's RSA helpers and against keys made by `cryptography`."""

import math

import pytest
import sympy
from sympy.crypto.crypto import rsa_private_key, rsa_public_key

from paycore.textbook import RSAPrivateKey, RSAPublicKey, generate_private_key, teaching_rng
from tests.conftest import KEY_SIZES, load_pinned_key


def test_classic_example(classic_key):
    assert (classic_key.n, classic_key.e, classic_key.d) == (3233, 17, 413)
    euler = RSAPrivateKey.from_primes(61, 53, 17, totient="euler")
    assert euler.d == 2753
    # Both exponents are valid: both decrypt what e encrypted.
    for key in (classic_key, euler):
        assert pow(pow(65, 17, 3233), key.d, 3233) == 65


def test_crt_values_follow_rfc8017(classic_key):
    k = classic_key
    assert k.dp == k.d % (k.p - 1)
    assert k.dq == k.d % (k.q - 1)
    assert (k.q * k.qinv) % k.p == 1


@pytest.mark.parametrize("p, q, e", [(61, 53, 17), (1009, 2003, 65537), (2**61 - 1, 2**89 - 1, 65537)])
@pytest.mark.parametrize("totient", ["euler", "carmichael"])
def test_keys_match_sympy(p, q, e, totient):
    ours = RSAPrivateKey.from_primes(p, q, e, totient=totient)
    sympy_name = {"euler": "Euler", "carmichael": "Carmichael"}[totient]
    assert (ours.n, ours.e) == rsa_public_key(p, q, e)
    assert (ours.n, ours.d) == rsa_private_key(p, q, e, totient=sympy_name)


@pytest.mark.parametrize("bits", KEY_SIZES)
def test_keys_match_cryptography(bits):
    """Rebuilt from the primes of a key OpenSSL made, every derived number must agree."""
    theirs = load_pinned_key(bits).private_numbers()
    ours = RSAPrivateKey.from_primes(theirs.p, theirs.q, theirs.public_numbers.e)
    ours_euler = RSAPrivateKey.from_primes(theirs.p, theirs.q, theirs.public_numbers.e, totient="euler")
    assert ours.n == theirs.public_numbers.n
    # OpenSSL takes d modulo lambda(n) (SP 800-56B) from 2048 bits up and modulo phi(n) below:
    # either way it must be one of our two exponents, and the same exponent modulo lambda(n).
    assert theirs.d in (ours.d, ours_euler.d)
    assert theirs.d % math.lcm(theirs.p - 1, theirs.q - 1) == ours.d
    assert (ours.dp, ours.dq, ours.qinv) == (theirs.dmp1, theirs.dmq1, theirs.iqmp)


@pytest.mark.parametrize(
    "bits, e", [(16, 17), (17, 3), (18, 65537), (64, 65537), (512, 65537), (1024, 65537)]
)
def test_generated_keys_are_sound(bits, e):
    key = generate_private_key(bits, e, rng=teaching_rng(bits))
    assert key.n.bit_length() == bits == key.bits
    assert key.p != key.q
    assert sympy.isprime(key.p) and sympy.isprime(key.q)
    assert key.n == key.p * key.q
    lam = math.lcm(key.p - 1, key.q - 1)
    assert (key.e * key.d) % lam == 1 and key.d < lam


def test_generation_is_reproducible_with_a_seed_only():
    assert (
        generate_private_key(256, rng=teaching_rng("x")).n
        == generate_private_key(256, rng=teaching_rng("x")).n
    )
    assert generate_private_key(256).n != generate_private_key(256).n


def test_generated_key_defends_against_close_primes_and_small_d():
    key = generate_private_key(512, rng=teaching_rng(3))
    assert abs(key.p - key.q).bit_length() > 512 // 2 - 100
    assert key.d.bit_length() > 512 // 2


def test_small_e_generation():
    key = generate_private_key(256, e=3, rng=teaching_rng(1))
    assert key.e == 3
    assert math.gcd(3, key.p - 1) == math.gcd(3, key.q - 1) == 1


def test_repr_is_short_and_hides_d():
    key = generate_private_key(2048, rng=teaching_rng("repr"))
    text = repr(key)
    assert len(text) < 120 and "2048" in text and str(key.d) not in text and "hidden" in text
    assert repr(key.public_key()).startswith("RSAPublicKey(bits=2048, e=65537, n=0x")
    assert repr(RSAPrivateKey.from_primes(61, 53, 17).public_key()) == "RSAPublicKey(bits=12, e=17, n=3233)"


@pytest.mark.parametrize(
    "p, q, e, message",
    [
        (61, 61, 17, "distinct"),
        (61, 54, 17, "even"),
        (61, 55, 17, "not prime"),
        (61, 53, 3, "not coprime"),  # 3 divides 60
        (61, 53, 16, "odd"),
        (61, 53, 1, "odd and at least 3"),
        (1, 53, 17, "at least 3"),
        (2, 53, 17, "at least 3"),
        (561, 53, 17, "not prime"),  # a Carmichael number
    ],
)
def test_from_primes_rejects_bad_parameters(p, q, e, message):
    with pytest.raises(ValueError, match=message):
        RSAPrivateKey.from_primes(p, q, e)


def test_from_primes_rejects_wrong_types_and_unknown_totient():
    with pytest.raises(TypeError):
        RSAPrivateKey.from_primes(61.0, 53, 17)
    with pytest.raises(TypeError):
        RSAPrivateKey.from_primes(61, 53, "17")
    with pytest.raises(ValueError, match="totient"):
        RSAPrivateKey.from_primes(61, 53, 17, totient="fermat")


def test_constructor_rejects_inconsistent_exponents():
    with pytest.raises(ValueError, match="not an inverse"):
        RSAPrivateKey(61, 53, 17, 414)


def test_public_key_rejects_bad_numbers():
    with pytest.raises(ValueError):
        RSAPublicKey(3233, 2)
    with pytest.raises(ValueError):
        RSAPublicKey(3233, 3233)
    with pytest.raises(ValueError):
        RSAPublicKey(4, 3)
    with pytest.raises(TypeError):
        RSAPublicKey(3233.0, 17)


@pytest.mark.parametrize(
    "bits, e, message",
    [
        (15, 65537, "bits too small"),
        (8, 3, "2048"),
        (64, 4, "odd"),
        (64, 1, "65537"),
        (17, 65537, "smaller than n"),
    ],
)
def test_generate_rejects_bad_parameters(bits, e, message):
    with pytest.raises(ValueError, match=message):
        generate_private_key(bits, e)


def test_generate_rejects_wrong_types():
    with pytest.raises(TypeError):
        generate_private_key("2048")
    with pytest.raises(TypeError):
        generate_private_key(2048, rng="seed")
