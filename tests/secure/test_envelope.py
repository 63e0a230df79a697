"""The hybrid envelope: the documented format opened by an independent implementation, and tampering."""

import base64
import json

import pytest
from Crypto.Cipher import AES, PKCS1_OAEP
from Crypto.Hash import SHA256
from hypothesis import given, settings
from hypothesis import strategies as st

from paycore import secure
from paycore.errors import DecryptionError, EnvelopeFormatError
from paycore.secure.envelope import Envelope, b64url_decode, b64url_encode
from tests.secure.peers import cryptodome_key


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def open_with_pycryptodome(key, wire: bytes, associated_data: bytes = b"") -> bytes:
    """Follow the format written in paycore/secure/envelope.py, with another library."""
    envelope = json.loads(wire)
    content_key = PKCS1_OAEP.new(cryptodome_key(key), hashAlgo=SHA256).decrypt(unb64(envelope["ek"]))
    header = json.dumps(
        {k: envelope[k] for k in ("alg", "enc", "kid", "v")}, sort_keys=True, separators=(",", ":")
    ).encode()
    cipher = AES.new(content_key, AES.MODE_GCM, nonce=unb64(envelope["iv"]))
    cipher.update(len(header).to_bytes(4, "big") + header + associated_data)
    body = unb64(envelope["ct"])
    return cipher.decrypt_and_verify(body[:-16], body[-16:])


@pytest.mark.parametrize("size", [0, 1, 190, 191, 1024, 1 << 20])
def test_round_trip_and_independent_opening(key2048, size):
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    wire = secure.seal(key2048.public_key(), payload, associated_data=b"order-7").to_json()
    assert secure.open_envelope(key2048, wire, associated_data=b"order-7") == payload
    assert open_with_pycryptodome(key2048, wire, b"order-7") == payload


def test_wire_format_is_the_documented_one(key2048):
    envelope = json.loads(secure.seal(key2048.public_key(), b"hello").to_json())
    assert set(envelope) == {"v", "alg", "enc", "kid", "ek", "iv", "ct"}
    assert (envelope["v"], envelope["alg"], envelope["enc"]) == (1, "RSA-OAEP-256", "A256GCM")
    assert envelope["kid"] == secure.key_id(key2048)
    assert len(unb64(envelope["ek"])) == 256 and len(unb64(envelope["iv"])) == 12
    assert len(unb64(envelope["ct"])) == len(b"hello") + 16
    assert not any("=" in envelope[field] for field in ("ek", "iv", "ct"))


def test_every_single_byte_change_of_the_wire_is_rejected(key2048):
    wire = secure.seal(key2048.public_key(), b"card=4111111111111111").to_json()
    for position in range(len(wire)):
        tampered = bytearray(wire)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            secure.open_envelope(key2048, bytes(tampered))


@settings(max_examples=40, deadline=None)
@given(field=st.sampled_from(["ek", "iv", "ct"]), data=st.data())
def test_changing_any_decoded_byte_fails_uniformly(key2048, field, data):
    envelope = secure.seal(key2048.public_key(), b"amount=12345")
    raw = {"ek": envelope.encrypted_key, "iv": envelope.iv, "ct": envelope.ciphertext}[field]
    position = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    changed = bytearray(raw)
    changed[position] ^= data.draw(st.integers(min_value=1, max_value=255))
    document = envelope.to_dict()
    document[field] = b64url_encode(bytes(changed))
    with pytest.raises(DecryptionError) as caught:
        secure.open_envelope(key2048, document)
    assert type(caught.value) is DecryptionError and str(caught.value) == "envelope could not be opened"


def test_associated_data_and_key_must_match(key2048, key3072):
    envelope = secure.seal(key2048.public_key(), b"x", associated_data=b"order-1")
    with pytest.raises(DecryptionError, match="could not be opened"):
        secure.open_envelope(key2048, envelope, associated_data=b"order-2")
    with pytest.raises(EnvelopeFormatError, match="not this key"):
        secure.open_envelope(key3072, envelope, associated_data=b"order-1")
    # A forged kid that claims to be for key3072 still cannot be opened by it.
    forged = Envelope(
        kid=secure.key_id(key3072),
        encrypted_key=envelope.encrypted_key,
        iv=envelope.iv,
        ciphertext=envelope.ciphertext,
    )
    with pytest.raises(DecryptionError):
        secure.open_envelope(key3072, forged, associated_data=b"order-1")


def test_equal_payloads_seal_differently(key2048):
    first = secure.seal(key2048.public_key(), b"amount=12345")
    second = secure.seal(key2048.public_key(), b"amount=12345")
    assert first.encrypted_key != second.encrypted_key and first.iv != second.iv
    assert first.ciphertext != second.ciphertext


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("iv"), "missing \\['iv'\\]"),
        (lambda d: d.update(extra=1), "unexpected \\['extra'\\]"),
        (lambda d: d.update(v=2), "version"),
        (lambda d: d.update(v=True), "version"),
        (lambda d: d.update(alg="RSA1_5"), "algorithms"),
        (lambda d: d.update(kid="AB" * 32), "kid"),
        (lambda d: d.update(iv="AAAA"), "12 bytes"),
        (lambda d: d.update(ct="AAAA"), "tag"),
        (lambda d: d.update(ek="not base64!"), "base64url"),
        (lambda d: d.update(ek=d["ek"] + "="), "base64url"),
        (lambda d: d.update(ct=7), "base64url"),
    ],
)
def test_malformed_envelopes_say_what_is_wrong(key2048, mutate, message):
    document = secure.seal(key2048.public_key(), b"x").to_dict()
    mutate(document)
    with pytest.raises(EnvelopeFormatError, match=message):
        secure.open_envelope(key2048, document)


def test_non_json_and_wrong_types(key2048):
    with pytest.raises(EnvelopeFormatError, match="not valid JSON"):
        secure.open_envelope(key2048, b"{not json")
    with pytest.raises(EnvelopeFormatError, match="JSON object"):
        secure.open_envelope(key2048, b"[1, 2]")
    with pytest.raises(TypeError):
        secure.open_envelope(key2048, 42)
    with pytest.raises(TypeError):
        secure.seal(key2048.public_key(), "text")
    with pytest.raises(TypeError):
        secure.open_envelope(key2048, b"{}", associated_data="order")


def test_base64url_is_strict():
    assert b64url_decode(b64url_encode(b"\xff\xfe")) == b"\xff\xfe"
    for bad in ("A", "AB=", "AB+/", "AB C", "AQ", "AR"):  # "AR" has non-zero unused bits
        if bad == "AQ":
            assert b64url_decode(bad) == b"\x01"
            continue
        with pytest.raises(EnvelopeFormatError):
            b64url_decode(bad)
