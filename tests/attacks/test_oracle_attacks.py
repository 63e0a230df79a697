"""Attacks 8-11 read the secret we encrypted through a leaky server, and get nothing from paycore.secure."""

import pytest
from cryptography.hazmat.primitives.asymmetric import padding

from paycore import secure
from paycore.attacks import AttackFailed, BudgetExhausted, Oracle
from paycore.attacks.bleichenbacher import bleichenbacher_attack, padding_oracle
from paycore.attacks.blinding import blinding_attack
from paycore.attacks.manger import first_byte_oracle, manger_attack
from paycore.attacks.parity import parity_attack
from paycore.attacks.targets import (
    IntegerTooLarge,
    LeakyOAEPServer,
    PaddingError,
    PaddingLeakingServer,
    ParityLeakingServer,
    RefusesRepeatsServer,
    RepeatRefused,
)
from paycore.errors import DecryptionError
from paycore.pkcs1 import oaep_decrypt, oaep_encrypt, pkcs1v15_decrypt, pkcs1v15_encrypt
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


# 8. blinding past a server that refuses repeats


def test_blinding_recovers_a_ciphertext_the_server_refuses(textbook_1024):
    server = RefusesRepeatsServer(textbook_1024)
    secret = os2ip(b"cvv=123")
    wire = encrypt_int(textbook_1024.public_key(), secret)
    assert server.decrypt(wire) == secret
    with pytest.raises(RepeatRefused):
        server.decrypt(wire)
    oracle = Oracle(server.decrypt)
    assert blinding_attack(textbook_1024.n, textbook_1024.e, wire, oracle, r=7) == secret
    assert oracle.queries == 1


def test_blinded_oaep_ciphertext_is_rejected(production_2048):
    n, e = public_numbers(production_2048)
    wire = secure.oaep_encrypt(production_2048.public_key(), b"cvv=123")

    def server(c: int) -> int:
        return os2ip(secure.oaep_decrypt(production_2048, c.to_bytes(256, "big")))

    with pytest.raises(DecryptionError):
        blinding_attack(n, e, os2ip(wire), server)


# 9. parity oracle


def test_parity_attack_recovers_every_plaintext_of_a_tiny_key():
    key = RSAPrivateKey.from_primes(61, 53, 17)
    server = ParityLeakingServer(key)
    for m in range(key.n):
        assert parity_attack(key.n, key.e, encrypt_int(key.public_key(), m), server.is_odd) == m


def test_parity_attack_uses_log2_n_queries(textbook_512):
    secret = os2ip(b"wallet=9000012345")
    oracle = Oracle(ParityLeakingServer(textbook_512).is_odd)
    recovered = parity_attack(
        textbook_512.n, textbook_512.e, encrypt_int(textbook_512.public_key(), secret), oracle
    )
    assert recovered == secret
    assert oracle.queries == textbook_512.n.bit_length() == 512


def test_parity_attack_gets_no_answer_from_oaep(production_2048):
    n, e = public_numbers(production_2048)
    wire = secure.oaep_encrypt(production_2048.public_key(), b"wallet=9000012345")
    oracle = Oracle(lambda c: secure.oaep_decrypt(production_2048, c.to_bytes(256, "big"))[-1] % 2 == 1)
    with pytest.raises(DecryptionError):
        parity_attack(n, e, os2ip(wire), oracle)
    assert oracle.queries == 1


# 10. Bleichenbacher


@pytest.fixture(scope="module")
def textbook_256():
    return generate_private_key(256, rng=teaching_rng("tests bleichenbacher 256"))


def test_padding_leaking_server_decrypts_and_leaks(textbook_256):
    server = PaddingLeakingServer(textbook_256)
    wire = pkcs1v15_encrypt(textbook_256.public_key(), b"key", rng=teaching_rng("tests pad"))
    assert server.decrypt(wire) == b"key" == pkcs1v15_decrypt(textbook_256, wire)
    with pytest.raises(PaddingError):
        server.decrypt(b"\x00" * 31 + b"\x05")


def test_bleichenbacher_recovers_the_padded_block(textbook_256):
    secret = b"AES key 01234567"
    wire = os2ip(pkcs1v15_encrypt(textbook_256.public_key(), secret, rng=teaching_rng("tests b98 padding")))
    oracle = Oracle(padding_oracle(PaddingLeakingServer(textbook_256).decrypt, 32), budget=400_000)
    block = bleichenbacher_attack(textbook_256.n, textbook_256.e, wire, oracle)
    assert block == decrypt_int(textbook_256, wire)  # what only the private key could compute
    assert block.to_bytes(32, "big").endswith(b"\x00" + secret)
    assert oracle.queries > 1000


def test_bleichenbacher_stops_at_its_budget(textbook_256):
    wire = os2ip(pkcs1v15_encrypt(textbook_256.public_key(), b"x", rng=teaching_rng("tests b98 budget")))
    oracle = Oracle(padding_oracle(PaddingLeakingServer(textbook_256).decrypt, 32), budget=50)
    with pytest.raises(BudgetExhausted):
        bleichenbacher_attack(textbook_256.n, textbook_256.e, wire, oracle)
    assert oracle.queries == 50


def test_cryptography_uses_implicit_rejection(production_2048):
    """The stated reason: a wrong padding decrypts to a repeatable random-looking message, not an error."""
    n, e = public_numbers(production_2048)
    wire = production_2048.public_key().encrypt(b"secret", padding.PKCS1v15())
    tampered = (os2ip(wire) * pow(2, e, n) % n).to_bytes(256, "big")
    first = production_2048.decrypt(tampered, padding.PKCS1v15())
    assert first == production_2048.decrypt(tampered, padding.PKCS1v15())
    assert first != b"secret"


def test_bleichenbacher_gets_nowhere_against_implicit_rejection(production_2048):
    n, e = public_numbers(production_2048)
    wire = production_2048.public_key().encrypt(b"secret", padding.PKCS1v15())
    decrypt = lambda c: production_2048.decrypt(c, padding.PKCS1v15())  # noqa: E731
    oracle = Oracle(padding_oracle(decrypt, 256, rejects=(ValueError,)), budget=5_000)
    with pytest.raises(AttackFailed):
        bleichenbacher_attack(n, e, os2ip(wire), oracle)


# 11. Manger


def test_leaky_oaep_server_has_two_errors(textbook_1024):
    server = LeakyOAEPServer(textbook_1024)
    wire = oaep_encrypt(textbook_1024.public_key(), b"card", rng=teaching_rng("tests manger server"))
    assert server.decrypt(wire) == b"card" == oaep_decrypt(textbook_1024, wire)
    too_large = encrypt_int(textbook_1024.public_key(), textbook_1024.n - 1)
    with pytest.raises(IntegerTooLarge):
        server.decrypt(too_large.to_bytes(128, "big"))
    small = encrypt_int(textbook_1024.public_key(), 12345)
    with pytest.raises(DecryptionError) as caught:
        server.decrypt(small.to_bytes(128, "big"))
    assert not isinstance(caught.value, IntegerTooLarge)


def test_manger_recovers_the_oaep_block(textbook_1024):
    secret = b"card=6222021234567890"
    wire = oaep_encrypt(textbook_1024.public_key(), secret, rng=teaching_rng("tests manger"))
    oracle = Oracle(first_byte_oracle(LeakyOAEPServer(textbook_1024).decrypt, 128))
    block = manger_attack(textbook_1024.n, textbook_1024.e, os2ip(wire), oracle)
    assert block == decrypt_int(textbook_1024, os2ip(wire))
    assert oracle.queries < 1024 + 200  # about log2 n


def test_manger_learns_nothing_from_one_uniform_error(production_2048):
    n, e = public_numbers(production_2048)
    wire = secure.oaep_encrypt(production_2048.public_key(), b"card")
    oracle = Oracle(first_byte_oracle(lambda c: secure.oaep_decrypt(production_2048, c), 256), budget=3_000)
    with pytest.raises(AttackFailed):
        manger_attack(n, e, os2ip(wire), oracle)
    # the reason: a block far above B and one far below it fail in exactly the same way
    big = encrypt_int_cryptography(production_2048, n - 1)
    small = encrypt_int_cryptography(production_2048, 2)
    errors = []
    for c in (big, small):
        with pytest.raises(DecryptionError) as caught:
            secure.oaep_decrypt(production_2048, c)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]


def encrypt_int_cryptography(key, m):
    n, e = public_numbers(key)
    return pow(m, e, n).to_bytes(256, "big")


def test_manger_refuses_a_modulus_without_room():
    n = 3 * 89  # 267 = 0x010b: two bytes, top byte 1, so 2B = 512 > n
    with pytest.raises(ValueError, match="2B < n"):
        manger_attack(n, 3, 1, lambda c: True)
