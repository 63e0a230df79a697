"""Properties over many inputs (hypothesis): round trips, and corruption always meets the one error.

Keys are seeded textbook keys of awkward sizes plus the pinned 2048-bit key; examples are few,
because every private operation is pure Python.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paycore.errors import DecryptionError, InvalidSignature
from paycore.pkcs1 import (
    lookup_hash,
    oaep_decrypt,
    oaep_encrypt,
    oaep_max_message_length,
    pkcs1v15_decrypt,
    pkcs1v15_encrypt,
    pkcs1v15_sign,
    pkcs1v15_verify,
    pss_sign,
    pss_verify,
)
from tests.pkcs1.helpers import teaching_keys

FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
keys = st.sampled_from(teaching_keys())
hashes = st.sampled_from(["sha1", "sha256", "sha384"])


def fits_oaep(key, hash_name):
    return key.byte_length >= 2 * lookup_hash(hash_name).digest_size + 2


@st.composite
def corrupted(draw, blob: bytes) -> bytes:
    """``blob`` with one byte changed, a byte cut off, or a byte appended."""
    how = draw(st.sampled_from(["flip", "truncate", "extend"]))
    if how == "truncate":
        return blob[:-1]
    if how == "extend":
        return blob + bytes([draw(st.integers(0, 255))])
    index = draw(st.integers(0, len(blob) - 1))
    return blob[:index] + bytes([blob[index] ^ draw(st.integers(1, 255))]) + blob[index + 1 :]


@FEW
@given(key=keys, hash_name=hashes, label=st.binary(max_size=16), data=st.data())
def test_oaep_round_trip(key, hash_name, label, data):
    if not fits_oaep(key, hash_name):
        with pytest.raises(ValueError, match="key too small"):
            oaep_encrypt(key.public_key(), b"", hash=hash_name)
        return
    message = data.draw(st.binary(max_size=oaep_max_message_length(key.byte_length, hash=hash_name)))
    ciphertext = oaep_encrypt(key.public_key(), message, hash=hash_name, label=label)
    assert len(ciphertext) == key.byte_length
    assert oaep_decrypt(key, ciphertext, hash=hash_name, label=label) == message


@FEW
@given(key=keys, data=st.data())
def test_pkcs1v15_encryption_round_trip(key, data):
    message = data.draw(st.binary(max_size=key.byte_length - 11))
    assert pkcs1v15_decrypt(key, pkcs1v15_encrypt(key.public_key(), message)) == message


@FEW
@given(key=keys, hash_name=hashes, message=st.binary(max_size=300), data=st.data())
def test_pss_round_trip_with_any_salt_length(key, hash_name, message, data):
    h_len = lookup_hash(hash_name).digest_size
    room = -(-(key.bits - 1) // 8) - h_len - 2
    if room < 0:
        return
    salt_length = data.draw(st.integers(0, room))
    signature = pss_sign(key, message, hash=hash_name, salt_length=salt_length)
    assert pss_verify(key.public_key(), message, signature, hash=hash_name, salt_length=salt_length) is None
    with pytest.raises(InvalidSignature):
        pss_verify(key.public_key(), message + b"!", signature, hash=hash_name, salt_length=salt_length)


@FEW
@given(key=keys, hash_name=hashes, message=st.binary(max_size=300))
def test_pkcs1v15_signature_round_trip(key, hash_name, message):
    signature = pkcs1v15_sign(key, message, hash=hash_name)
    assert signature == pkcs1v15_sign(key, message, hash=hash_name)  # deterministic
    assert pkcs1v15_verify(key.public_key(), message, signature, hash=hash_name) is None


def _uniform_message(exception_type, call) -> str:
    with pytest.raises(exception_type) as caught:
        call()
    assert type(caught.value) is exception_type
    assert caught.value.__context__ is None, "no inner exception may ride along and reveal the cause"
    return str(caught.value)


@pytest.fixture(scope="module")
def reference_messages():
    """The one message of each error, provoked by the simplest failure (an empty ciphertext)."""
    key = teaching_keys()[-1]
    return {
        DecryptionError: _uniform_message(DecryptionError, lambda: oaep_decrypt(key, b"")),
        InvalidSignature: _uniform_message(InvalidSignature, lambda: pss_verify(key.public_key(), b"", b"")),
    }


@FEW
@given(key=keys, message=st.binary(max_size=40), data=st.data())
def test_corrupted_oaep_ciphertexts_always_meet_the_one_error(key, message, data, reference_messages):
    ciphertext = data.draw(corrupted(oaep_encrypt(key.public_key(), message, hash="sha1")))
    got = _uniform_message(DecryptionError, lambda: oaep_decrypt(key, ciphertext, hash="sha1"))
    assert got == reference_messages[DecryptionError]


@FEW
@given(key=keys, message=st.binary(max_size=40), data=st.data())
def test_corrupted_v15_ciphertexts_never_give_the_message_back(key, message, data, reference_messages):
    """A corrupted v1.5 ciphertext *can* decode (the check is weak: about 1 in 2^16 random blocks
    pass), so the property is: never the original message, and any error is the one error."""
    ciphertext = data.draw(corrupted(pkcs1v15_encrypt(key.public_key(), message)))
    try:
        assert pkcs1v15_decrypt(key, ciphertext) != message
    except DecryptionError as error:
        assert str(error) == reference_messages[DecryptionError] and error.__context__ is None


@FEW
@given(key=keys, message=st.binary(max_size=40), scheme=st.sampled_from(["pss", "v1.5"]), data=st.data())
def test_corrupted_signatures_always_meet_the_one_error(key, message, scheme, data, reference_messages):
    sign, verify = (pss_sign, pss_verify) if scheme == "pss" else (pkcs1v15_sign, pkcs1v15_verify)
    signature = data.draw(corrupted(sign(key, message, hash="sha1")))
    got = _uniform_message(
        InvalidSignature, lambda: verify(key.public_key(), message, signature, hash="sha1")
    )
    assert got == reference_messages[InvalidSignature]
