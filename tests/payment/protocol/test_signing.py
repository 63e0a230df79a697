"""protocol.signing's signing half alone: canonical strings, the five headers, the signer, key pinning."""

import base64
import hashlib

import pytest

from paycore import secure
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.protocol import SIGNATURE_HEADERS
from paycore.payment.protocol.signing import (
    MessageSigner,
    PinnedKey,
    SignedHeaders,
    TrustedKey,
    body_digest,
    canonical_request,
    canonical_response,
    new_nonce,
)

NONCE = "0123456789abcdef0123456789abcdef"


def by_the_rules(*lines: object) -> bytes:
    """The canonical layout written out independently: one field per line, each ending in a line feed."""
    return "".join(f"{line}\n" for line in lines).encode()


def test_the_request_canonical_string_is_five_lines_with_the_body_hash():
    body = b'{"a":1}'
    assert canonical_request("post", "/v1/payments?x=1", 1700000000, NONCE, body) == by_the_rules(
        "POST", "/v1/payments?x=1", 1700000000, NONCE, hashlib.sha256(body).hexdigest()
    )


def test_the_response_canonical_string_names_the_status_and_the_request_nonce():
    body = b"{}"
    assert canonical_response(409, "r" * 32, 1700000000, NONCE, body) == by_the_rules(
        409, "r" * 32, 1700000000, NONCE, hashlib.sha256(body).hexdigest()
    )
    assert body_digest(b"") == hashlib.sha256(b"").hexdigest()


def test_nonces_are_fresh_128_bit_hex():
    nonces = {new_nonce() for _ in range(50)}
    assert len(nonces) == 50 and all(len(n) == 32 and int(n, 16) >= 0 for n in nonces)


# -- SignedHeaders ------------------------------------------------------------------------------------
def headers_of(merchant_key, **changes) -> dict[str, str]:
    headers = MessageSigner(merchant_key).sign_request("POST", "/v1/payments", b"{}", timestamp=1700000000)
    return {**headers, **changes}


def test_signed_headers_parse_what_the_signer_writes(merchant_key):
    headers = headers_of(merchant_key)
    parsed = SignedHeaders.from_headers({name.lower(): value for name, value in headers.items()})
    assert parsed.key_id == secure.key_id(merchant_key)
    assert (parsed.timestamp, parsed.nonce) == (1700000000, headers["Paycore-Nonce"])
    assert parsed.algorithm is secure.SignatureAlgorithm.PSS_SHA256
    assert parsed.signature == base64.b64decode(headers["Paycore-Signature"])
    assert parsed.to_headers() == headers


@pytest.mark.parametrize("missing", SIGNATURE_HEADERS)
def test_each_missing_header_is_named(merchant_key, missing):
    headers = headers_of(merchant_key)
    del headers[missing]
    with pytest.raises(PaymentError) as refusal:
        SignedHeaders.from_headers(headers)
    assert refusal.value.code is ErrorCode.MALFORMED_HEADERS
    assert refusal.value.message == f"missing signature headers: {missing}"


def test_every_missing_header_is_named_at_once():
    with pytest.raises(PaymentError, match="missing signature headers: Paycore-Key-Id, Paycore-Timestamp, "):
        SignedHeaders.from_headers({})


@pytest.mark.parametrize(
    "name, value, mentions",
    [
        ("Paycore-Key-Id", "A" * 64, "Paycore-Key-Id"),
        ("Paycore-Key-Id", "a" * 63, "Paycore-Key-Id"),
        ("Paycore-Key-Id", "a" * 65, "Paycore-Key-Id"),
        ("Paycore-Timestamp", "", "Paycore-Timestamp"),
        ("Paycore-Timestamp", "-5", "Paycore-Timestamp"),
        ("Paycore-Timestamp", "1" * 13, "Paycore-Timestamp"),
        ("Paycore-Timestamp", "1700000000.5", "Paycore-Timestamp"),
        ("Paycore-Nonce", "a" * 15, "Paycore-Nonce"),
        ("Paycore-Nonce", "a" * 65, "Paycore-Nonce"),
        ("Paycore-Nonce", "a" * 20 + "!", "Paycore-Nonce"),
        ("Paycore-Signature", "not base64!", "Paycore-Signature"),
        ("Paycore-Signature", "abc", "Paycore-Signature"),
    ],
)
def test_ill_formed_headers_are_malformed(merchant_key, name, value, mentions):
    with pytest.raises(PaymentError) as refusal:
        SignedHeaders.from_headers(headers_of(merchant_key, **{name: value}))
    assert refusal.value.code is ErrorCode.MALFORMED_HEADERS and mentions in refusal.value.message


@pytest.mark.parametrize("nonce", ["a" * 16, "Z" * 64, "abc-DEF_123-xyz_0"])
def test_the_nonce_format_boundaries_are_accepted(merchant_key, nonce):
    assert SignedHeaders.from_headers(headers_of(merchant_key, **{"Paycore-Nonce": nonce})).nonce == nonce


def test_a_one_digit_and_a_twelve_digit_timestamp_are_well_formed(merchant_key):
    for stamp in ("0", "9" * 12):
        parsed = SignedHeaders.from_headers(headers_of(merchant_key, **{"Paycore-Timestamp": stamp}))
        assert parsed.timestamp == int(stamp)


def test_an_unknown_algorithm_is_its_own_refusal(merchant_key):
    with pytest.raises(PaymentError) as refusal:
        SignedHeaders.from_headers(headers_of(merchant_key, **{"Paycore-Signature-Algorithm": "RSA-MD5"}))
    assert refusal.value.code is ErrorCode.UNSUPPORTED_ALGORITHM and "RSA-MD5" in refusal.value.message


# -- the signer ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", list(secure.SignatureAlgorithm))
def test_the_signer_signs_the_canonical_request_with_its_algorithm(merchant_key, algorithm):
    signer = MessageSigner(merchant_key, algorithm.value)
    assert signer.key_id == secure.key_id(merchant_key) and signer.algorithm is algorithm
    headers = signer.sign_request("GET", "/v1/payments/T-1", b"", timestamp=1700000123, nonce=NONCE)
    assert headers["Paycore-Nonce"] == NONCE and headers["Paycore-Timestamp"] == "1700000123"
    assert headers["Paycore-Signature-Algorithm"] == algorithm.value
    canonical = by_the_rules("GET", "/v1/payments/T-1", 1700000123, NONCE, hashlib.sha256(b"").hexdigest())
    secure.verify(
        merchant_key.public_key(), canonical, base64.b64decode(headers["Paycore-Signature"]), algorithm
    )


def test_the_signer_defaults_to_pss_and_a_fresh_nonce(merchant_key):
    signer = MessageSigner(merchant_key)
    first = signer.sign_request("POST", "/v1/payments", b"{}", timestamp=1)
    second = signer.sign_request("POST", "/v1/payments", b"{}", timestamp=1)
    assert signer.algorithm is secure.SignatureAlgorithm.PSS_SHA256
    assert first["Paycore-Nonce"] != second["Paycore-Nonce"]


def test_a_response_is_signed_for_the_request_nonce_with_a_nonce_of_its_own(gateway_key):
    headers = MessageSigner(gateway_key).sign_response(201, NONCE, b"{}", timestamp=1700000000)
    own = headers["Paycore-Nonce"]
    assert own != NONCE
    canonical = by_the_rules(201, NONCE, 1700000000, own, hashlib.sha256(b"{}").hexdigest())
    secure.verify(gateway_key.public_key(), canonical, base64.b64decode(headers["Paycore-Signature"]))


# -- trusted keys --------------------------------------------------------------------------------------
def test_a_pinned_key_resolves_only_its_own_id(gateway_key, attacker_key):
    pinned = PinnedKey("gateway", gateway_key.public_key(), "RSA2")
    trusted = pinned(secure.key_id(gateway_key))
    assert trusted == TrustedKey(
        "gateway", gateway_key.public_key(), secure.SignatureAlgorithm.PKCS1V15_SHA256
    )
    assert trusted.key_id == pinned.key_id == secure.key_id(gateway_key)
    with pytest.raises(PaymentError) as refusal:
        pinned(secure.key_id(attacker_key))
    assert refusal.value.code is ErrorCode.UNKNOWN_KEY and "gateway's key" in refusal.value.message
