"""RSA-OAEP-SHA256 checked against PyCryptodome and OpenSSL's command line, both directions."""

import pytest
from Crypto.Cipher import PKCS1_OAEP
from Crypto.Hash import SHA256
from hypothesis import given, settings
from hypothesis import strategies as st

from paycore import secure
from paycore.errors import DecryptionError, InvalidKey
from tests.secure.peers import cryptodome_key, openssl, requires_openssl, write_keys

OAEP_OPTIONS = (
    "-pkeyopt",
    "rsa_padding_mode:oaep",
    "-pkeyopt",
    "rsa_oaep_md:sha256",
    "-pkeyopt",
    "rsa_mgf1_md:sha256",
)


def test_capacity_is_k_minus_66(key2048, key3072):
    assert secure.max_plaintext_length(key2048) == 256 - 66 == 190
    assert secure.max_plaintext_length(key3072.public_key()) == 384 - 66


@settings(max_examples=20, deadline=None)
@given(message=st.binary(max_size=190), label=st.one_of(st.none(), st.binary(min_size=1, max_size=40)))
def test_pycryptodome_decrypts_ours_and_we_decrypt_theirs(key2048, message, label):
    theirs = PKCS1_OAEP.new(cryptodome_key(key2048), hashAlgo=SHA256, label=label or b"")
    ours = secure.oaep_encrypt(key2048.public_key(), message, label=label)
    assert theirs.decrypt(ours) == message
    assert secure.oaep_decrypt(key2048, theirs.encrypt(message), label=label) == message


def test_randomised_equal_amounts_give_different_ciphertexts(key2048):
    first = secure.oaep_encrypt(key2048.public_key(), b"12345")
    second = secure.oaep_encrypt(key2048.public_key(), b"12345")
    assert first != second
    assert secure.oaep_decrypt(key2048, first) == secure.oaep_decrypt(key2048, second) == b"12345"


@requires_openssl
def test_openssl_command_line_both_ways(key2048, tmp_path):
    private, public = write_keys(key2048, tmp_path)
    ours = secure.oaep_encrypt(key2048.public_key(), b"card=4111111111111111")
    assert (
        openssl("pkeyutl", "-decrypt", "-inkey", str(private), *OAEP_OPTIONS, data=ours)
        == b"card=4111111111111111"
    )
    theirs = openssl(
        "pkeyutl", "-encrypt", "-pubin", "-inkey", str(public), *OAEP_OPTIONS, data=b"wallet=W-1"
    )
    assert secure.oaep_decrypt(key2048, theirs) == b"wallet=W-1"


@settings(max_examples=25, deadline=None)
@given(position=st.integers(min_value=0, max_value=255), flip=st.integers(min_value=1, max_value=255))
def test_any_corruption_raises_the_one_error(key2048, position, flip):
    ciphertext = bytearray(secure.oaep_encrypt(key2048.public_key(), b"amount=12345"))
    ciphertext[position] ^= flip
    with pytest.raises(DecryptionError) as caught:
        secure.oaep_decrypt(key2048, bytes(ciphertext))
    assert str(caught.value) == "decryption failed"


def test_wrong_label_wrong_key_and_wrong_length_raise_the_one_error(key2048, key3072):
    ciphertext = secure.oaep_encrypt(key2048.public_key(), b"x", label=b"order-1")
    for call in (
        lambda: secure.oaep_decrypt(key2048, ciphertext, label=b"order-2"),
        lambda: secure.oaep_decrypt(key2048, ciphertext),
        lambda: secure.oaep_decrypt(key3072, ciphertext, label=b"order-1"),
        lambda: secure.oaep_decrypt(key2048, ciphertext[:-1], label=b"order-1"),
        lambda: secure.oaep_decrypt(key2048, b"", label=b"order-1"),
    ):
        with pytest.raises(DecryptionError, match="^decryption failed$"):
            call()


def test_bad_arguments(key2048, key1024):
    with pytest.raises(ValueError, match="at most 190 bytes, got 191.*envelope"):
        secure.oaep_encrypt(key2048.public_key(), bytes(191))
    with pytest.raises(TypeError, match="public"):
        secure.oaep_encrypt(key2048, b"x")
    with pytest.raises(TypeError, match="bytes"):
        secure.oaep_encrypt(key2048.public_key(), "text")
    with pytest.raises(TypeError, match="private key"):
        secure.oaep_decrypt(key2048.public_key(), b"x")
    with pytest.raises(TypeError, match="bytes"):
        secure.oaep_decrypt(key2048, "x")
    with pytest.raises(TypeError, match="label"):
        secure.oaep_encrypt(key2048.public_key(), b"x", label="order-1")
    with pytest.raises(InvalidKey):
        secure.oaep_encrypt(key1024.public_key(), b"x")
    with pytest.raises(InvalidKey):
        secure.oaep_decrypt(key1024, bytes(128))
