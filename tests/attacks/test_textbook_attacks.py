"""Attacks 1-6 recover the secret we set up from textbook RSA, and fail against paycore.secure."""

import pytest
import sympy

from paycore import secure
from paycore.attacks.common_modulus import common_modulus_attack
from paycore.attacks.cube_root import cube_root_attack
from paycore.attacks.dictionary import amount_bytes, dictionary_attack
from paycore.attacks.hastad import hastad_broadcast
from paycore.attacks.malleability import scale_ciphertext
from paycore.attacks.targets import TextbookGateway
from paycore.attacks.weak_keys import shared_modulus_sibling, small_private_exponent_key
from paycore.attacks.wiener import wiener_attack
from paycore.errors import DecryptionError
from paycore.textbook import (
    RSAPrivateKey,
    decrypt_int,
    encrypt_int,
    generate_private_key,
    os2ip,
    teaching_rng,
)


def public_numbers(key):
    numbers = key.public_key().public_numbers()
    return numbers.n, numbers.e


# 1. dictionary


def test_dictionary_attack_reads_textbook_amounts(textbook_1024):
    public = textbook_1024.public_key()
    amounts = [1, 777, 12_345, 777, 4_999]
    wire = [encrypt_int(public, a) for a in amounts]
    found, guesses = dictionary_attack(lambda m: encrypt_int(public, m), wire, range(0, 20_000))
    assert [found[c] for c in wire] == amounts
    assert guesses == 12_346  # it stops at the largest amount (0 is tried first)


def test_dictionary_attack_finds_nothing_under_oaep(production_2048):
    public = production_2048.public_key()
    wire = [secure.oaep_encrypt(public, amount_bytes(a)) for a in (5, 17)]
    found, guesses = dictionary_attack(
        lambda m: secure.oaep_encrypt(public, amount_bytes(m)), wire, range(20)
    )
    assert found == {} and guesses == 20
    # the reason: the right amount, encrypted again, gives a new ciphertext
    assert secure.oaep_encrypt(public, amount_bytes(5)) != wire[0]


# 2. malleability


def test_multiplying_a_textbook_ciphertext_multiplies_the_charged_amount(textbook_1024):
    public = textbook_1024.public_key()
    tampered = scale_ciphertext(public.n, public.e, encrypt_int(public, 12_345), 100)
    assert TextbookGateway(textbook_1024).charge(tampered) == 1_234_500


def test_multiplied_oaep_ciphertext_is_rejected(production_2048):
    n, e = public_numbers(production_2048)
    wire = secure.oaep_encrypt(production_2048.public_key(), amount_bytes(12_345))
    tampered = scale_ciphertext(n, e, os2ip(wire), 100).to_bytes(256, "big")
    with pytest.raises(DecryptionError):
        secure.oaep_decrypt(production_2048, tampered)


# 3. cube root


def test_cube_root_of_a_short_message_with_e3(textbook_e3_1024):
    message = os2ip(b"6222021234567890")
    c = encrypt_int(textbook_e3_1024.public_key(), message)
    assert cube_root_attack(c, 3) == message
    assert c == message**3  # the reason: no reduction mod n happened


def test_cube_root_fails_when_m_cubed_wraps_around_n(textbook_e3_1024):
    message = textbook_e3_1024.n // 7  # M^3 > n
    assert cube_root_attack(encrypt_int(textbook_e3_1024.public_key(), message), 3) is None


def test_cube_root_finds_no_exact_root_under_oaep(production_2048):
    _, e = public_numbers(production_2048)
    c = os2ip(secure.oaep_encrypt(production_2048.public_key(), b"6222021234567890"))
    assert cube_root_attack(c, e) is None and cube_root_attack(c, 3) is None
    assert not sympy.integer_nthroot(c, 3)[1]


# 4. Hastad


def test_hastad_recovers_a_message_too_long_for_one_cube_root():
    keys = [generate_private_key(768, e=3, rng=teaching_rng(f"tests hastad {i}")) for i in range(3)]
    message = os2ip(b"amount=1234500;card=6222021234567890;order=A20261127001;merchant=M-1")
    wire = [encrypt_int(key.public_key(), message) for key in keys]
    assert all(message**3 > key.n for key in keys)
    assert cube_root_attack(wire[0], 3) is None
    assert hastad_broadcast(wire, [key.n for key in keys]) == message
    assert hastad_broadcast(wire[:2], [key.n for key in keys[:2]]) is None  # two recipients are not enough


def test_hastad_fails_under_oaep():
    keys = [secure.generate_private_key() for _ in range(3)]
    wire = [os2ip(secure.oaep_encrypt(key.public_key(), b"same notice")) for key in keys]
    moduli = [public_numbers(key)[0] for key in keys]
    assert hastad_broadcast(wire, moduli, 3) is None
    assert hastad_broadcast(wire, moduli, 65537) is None


# 5. common modulus


def test_common_modulus_recovers_the_message(textbook_1024):
    sibling = shared_modulus_sibling(textbook_1024)
    assert sibling.n == textbook_1024.n and sibling.e != textbook_1024.e
    message = os2ip(b"refund to 6222021234567890")
    c1 = encrypt_int(textbook_1024.public_key(), message)
    c2 = encrypt_int(sibling.public_key(), message)
    assert common_modulus_attack(textbook_1024.n, textbook_1024.e, c1, sibling.e, c2) == message


def test_common_modulus_needs_coprime_exponents(textbook_1024):
    with pytest.raises(ValueError, match="share the factor 3"):
        common_modulus_attack(textbook_1024.n, 3, 5, 9, 7)


def test_common_modulus_fails_on_two_oaep_encryptions(production_2048):
    from cryptography.hazmat.primitives.asymmetric import rsa

    numbers = production_2048.private_numbers()
    original = RSAPrivateKey(numbers.p, numbers.q, numbers.public_numbers.e, numbers.d)
    twin = shared_modulus_sibling(original)
    twin_public = rsa.RSAPublicNumbers(twin.e, twin.n).public_key()
    c1 = os2ip(secure.oaep_encrypt(production_2048.public_key(), b"refund"))
    c2 = os2ip(secure.oaep_encrypt(twin_public, b"refund"))
    assert common_modulus_attack(twin.n, original.e, c1, twin.e, c2) is None
    # the reason: under OAEP the two encryptions carry two different blocks
    assert decrypt_int(original, c1) != decrypt_int(twin, c2)


# 6. Wiener


def test_wiener_recovers_a_small_d():
    key = small_private_exponent_key(1024, 240, teaching_rng("tests wiener"))
    result = wiener_attack(key.n, key.e)
    assert result.d == key.d
    assert {result.p, result.q} == {key.p, key.q}
    assert sympy.isprime(result.p) and sympy.isprime(result.q)


def test_wiener_finds_nothing_when_d_is_just_too_big():
    key = small_private_exponent_key(1024, 300, teaching_rng("tests wiener big d"))
    assert wiener_attack(key.n, key.e).p is None


def test_wiener_fails_on_a_production_key(production_2048):
    result = wiener_attack(*public_numbers(production_2048))
    assert result.p is None and result.convergents_tried > 0
    assert production_2048.private_numbers().d.bit_length() > 1024  # the reason: d is full size
