"""PSS-SHA256 and PKCS#1 v1.5-SHA256 checked against PyCryptodome, python-rsa and OpenSSL."""

import pytest
import rsa as python_rsa
from Crypto.Hash import SHA256
from Crypto.Signature import pkcs1_15, pss
from hypothesis import given, settings
from hypothesis import strategies as st

from paycore import secure
from paycore.errors import InvalidKey, InvalidSignature
from paycore.secure import SignatureAlgorithm
from tests.secure.peers import cryptodome_key, openssl, requires_openssl, write_keys

PSS = SignatureAlgorithm.PSS_SHA256
RSA2 = SignatureAlgorithm.PKCS1V15_SHA256


@settings(max_examples=15, deadline=None)
@given(message=st.binary(max_size=2000))
def test_pss_both_ways_with_pycryptodome(key2048, message):
    theirs = cryptodome_key(key2048)
    signature = secure.sign(key2048, message)
    pss.new(theirs.public_key(), salt_bytes=32).verify(SHA256.new(message), signature)  # raises if bad
    secure.verify(key2048.public_key(), message, pss.new(theirs, salt_bytes=32).sign(SHA256.new(message)))


@settings(max_examples=15, deadline=None)
@given(message=st.binary(max_size=2000))
def test_pkcs1v15_matches_python_rsa_and_pycryptodome_byte_for_byte(key2048, message):
    """PKCS#1 v1.5 signatures are deterministic, so two independent libraries must give the same bytes."""
    numbers = key2048.private_numbers()
    peer = python_rsa.PrivateKey(
        numbers.public_numbers.n, numbers.public_numbers.e, numbers.d, numbers.p, numbers.q
    )
    ours = secure.sign(key2048, message, RSA2)
    assert ours == python_rsa.sign(message, peer, "SHA-256")
    assert ours == pkcs1_15.new(cryptodome_key(key2048)).sign(SHA256.new(message))
    secure.verify(key2048.public_key(), message, ours, "RSA-PKCS1v15-SHA256")


@requires_openssl
def test_openssl_dgst_both_ways(key2048, tmp_path):
    private, public = write_keys(key2048, tmp_path)
    data = tmp_path / "request.txt"
    data.write_bytes(b"POST\n/v1/payments\n1764201600\nnonce\nbodyhash\n")
    signature_file = tmp_path / "sig.bin"
    pss_options = ("-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32")
    for scheme, options in ((PSS, pss_options), (RSA2, ())):
        signature_file.write_bytes(secure.sign(key2048, data.read_bytes(), scheme))
        verdict = openssl(
            "dgst", "-sha256", *options, "-verify", str(public), "-signature", str(signature_file), str(data)
        )
        assert b"Verified OK" in verdict
        theirs = openssl("dgst", "-sha256", *options, "-sign", str(private), str(data))
        secure.verify(key2048.public_key(), data.read_bytes(), theirs, scheme)


def test_pss_is_randomised_and_pkcs1v15_is_not(key2048):
    assert secure.sign(key2048, b"m") != secure.sign(key2048, b"m")
    assert secure.sign(key2048, b"m", RSA2) == secure.sign(key2048, b"m", RSA2)


@settings(max_examples=25, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=255),
    flip=st.integers(min_value=1, max_value=255),
    scheme=st.sampled_from([PSS, RSA2]),
)
def test_corrupted_signature_raises_invalid_signature(key2048, position, flip, scheme):
    signature = bytearray(secure.sign(key2048, b"amount=12345", scheme))
    signature[position] ^= flip
    with pytest.raises(InvalidSignature, match="^signature does not match the message$"):
        secure.verify(key2048.public_key(), b"amount=12345", bytes(signature), scheme)


def test_wrong_message_key_or_scheme_fails(key2048, key3072):
    signature = secure.sign(key2048, b"amount=12345")
    for call in (
        lambda: secure.verify(key2048.public_key(), b"amount=12346", signature),
        lambda: secure.verify(key3072.public_key(), b"amount=12345", signature),
        lambda: secure.verify(key2048.public_key(), b"amount=12345", signature, RSA2),
        lambda: secure.verify(key2048.public_key(), b"amount=12345", signature[:-1]),
    ):
        with pytest.raises(InvalidSignature):
            call()


def test_bad_arguments(key2048, key1024):
    with pytest.raises(ValueError, match="unknown signature algorithm 'RSA-MD5'.*RSA-PSS-SHA256"):
        secure.sign(key2048, b"m", "RSA-MD5")
    with pytest.raises(TypeError, match="private key"):
        secure.sign(key2048.public_key(), b"m")
    with pytest.raises(TypeError, match="public key"):
        secure.verify(key2048, b"m", b"s")
    with pytest.raises(TypeError):
        secure.sign(key2048, "m")
    with pytest.raises(TypeError):
        secure.verify(key2048.public_key(), b"m", "s")
    with pytest.raises(InvalidKey):
        secure.sign(key1024, b"m")
    assert SignatureAlgorithm.parse("RSA-PSS-SHA256") is PSS
