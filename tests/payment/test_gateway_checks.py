"""Step 3.4's checks, each attacked directly at the gateway: what is refused, and that no money moves."""

import base64
import json

import pytest

from paycore import secure
from paycore.payment import Money
from paycore.payment.protocol.signing import MessageSigner
from paycore.payment.runtime.world import GATEWAY_URL
from tests.payment.helpers import CNY_100, error_code, ledger_entries, payment_body, send, signed_request


def test_a_well_formed_request_succeeds_and_the_answer_is_signed_for_it(world):
    body = payment_body(world, "T-0001")
    headers = signed_request(world, body)
    reply = send(world, headers, body)
    assert reply.status == 200 and json.loads(reply.body)["status"] == "SUCCEEDED"
    world.merchant.client.verify_reply(
        reply, headers["Paycore-Nonce"]
    )  # raises if not signed for this request
    with pytest.raises(Exception, match="failed checks"):
        world.merchant.client.verify_reply(reply, "another-request-nonce-0000")


def test_replaying_a_captured_request_is_refused(world):
    body = payment_body(world, "T-0002")
    headers = signed_request(world, body)
    assert send(world, headers, body).status == 200
    entries = ledger_entries(world)
    replay = send(world, headers, body)
    assert (replay.status, error_code(replay)) == (401, "REPLAYED_NONCE")
    assert ledger_entries(world) == entries


@pytest.mark.parametrize(
    "skew, accepted", [(-301, False), (-300, True), (300, True), (301, False), (-86400, False)]
)
def test_the_window_is_two_sided(world, skew, accepted):
    body = payment_body(world, f"T-skew{abs(skew)}{'p' if skew > 0 else 'm'}")
    reply = send(world, signed_request(world, body, timestamp=int(world.clock.now()) + skew), body)
    assert (reply.status == 200) is accepted
    if not accepted:
        assert error_code(reply) == "TIMESTAMP_OUT_OF_WINDOW"
        assert ("future" in json.loads(reply.body)["error"]["message"]) is (skew > 0)


def test_a_request_replayed_after_the_window_is_refused_even_though_its_nonce_was_purged(world, clock):
    body = payment_body(world, "T-0003")
    headers = signed_request(world, body)
    assert send(world, headers, body).status == 200
    clock.advance(301)
    assert error_code(send(world, headers, body)) == "TIMESTAMP_OUT_OF_WINDOW"


def test_tampering_with_any_part_breaks_the_signature(world):
    entries = ledger_entries(world)
    body = payment_body(world, "T-0004")
    headers = signed_request(world, body)
    tampered_amount = body.replace(b'"value":100', b'"value":1')
    assert tampered_amount != body
    for changed_headers, changed_body in [
        (headers, tampered_amount),
        ({**headers, "Paycore-Timestamp": str(int(headers["Paycore-Timestamp"]) + 1)}, body),
        ({**headers, "Paycore-Nonce": "f" * 32}, body),
    ]:
        reply = send(world, changed_headers, changed_body)
        assert (reply.status, error_code(reply)) == (401, "INVALID_SIGNATURE")
    assert ledger_entries(world) == entries


def test_a_request_re_signed_with_another_key_is_refused(world, attacker_key):
    body = payment_body(world, "T-0005")
    attacker = MessageSigner(attacker_key)
    reply = send(world, signed_request(world, body, signer=attacker), body)
    assert error_code(reply) == "UNKNOWN_KEY"
    # Claiming the merchant's key id does not help: the signature is checked with the registered key.
    forged = {**signed_request(world, body, signer=attacker), "Paycore-Key-Id": world.merchant.signer.key_id}
    assert error_code(send(world, forged, body)) == "INVALID_SIGNATURE"


def test_the_merchants_registered_algorithm_is_enforced(world):
    body = payment_body(world, "T-0006")
    downgraded = MessageSigner(world.merchant.signer.private_key, secure.SignatureAlgorithm.PKCS1V15_SHA256)
    assert (
        error_code(send(world, signed_request(world, body, signer=downgraded), body))
        == "UNSUPPORTED_ALGORITHM"
    )


@pytest.mark.parametrize(
    "mutate, code",
    [
        (lambda h: h.pop("Paycore-Signature"), "MALFORMED_HEADERS"),
        (lambda h: h.update({"Paycore-Signature": "not base64!"}), "MALFORMED_HEADERS"),
        (lambda h: h.update({"Paycore-Timestamp": "yesterday"}), "MALFORMED_HEADERS"),
        (lambda h: h.update({"Paycore-Nonce": "short"}), "MALFORMED_HEADERS"),
        (lambda h: h.update({"Paycore-Key-Id": "ABC"}), "MALFORMED_HEADERS"),
        (lambda h: h.update({"Paycore-Signature-Algorithm": "RSA-MD5"}), "UNSUPPORTED_ALGORITHM"),
        (
            lambda h: h.update({"Paycore-Signature": base64.b64encode(b"x" * 256).decode()}),
            "INVALID_SIGNATURE",
        ),
        (lambda h: h.pop("Idempotency-Key"), "IDEMPOTENCY_KEY_REQUIRED"),
        (lambda h: h.update({"Idempotency-Key": "bad key!"}), "INVALID_REQUEST"),
    ],
)
def test_malformed_headers_get_a_clear_code(world, mutate, code):
    body = payment_body(world, "T-0007")
    headers = signed_request(world, body)
    mutate(headers)
    reply = send(world, headers, body)
    assert 400 <= reply.status < 500 and error_code(reply) == code


def test_a_refusal_of_a_genuinely_signed_request_is_signed_by_the_gateway(world):
    body = payment_body(world, "T-0008")
    headers = signed_request(world, body, timestamp=int(world.clock.now()) - 3600)  # signed, but stale
    reply = send(world, headers, body)
    assert reply.status == 401
    document = world.merchant.client.verify_reply(
        reply, headers["Paycore-Nonce"]
    )  # raises unless the gateway signed it
    assert document["error"]["code"] == "TIMESTAMP_OUT_OF_WINDOW"
    assert reply.headers["paycore-key-id"] == world.gateway.key_id


@pytest.mark.parametrize(
    "spoil, code",
    [
        (
            lambda h: h.update({"Paycore-Signature": base64.b64encode(b"x" * 256).decode()}),
            "INVALID_SIGNATURE",
        ),
        (lambda h: h.update({"Paycore-Key-Id": "0" * 64}), "UNKNOWN_KEY"),
        (lambda h: h.pop("Paycore-Nonce"), "MALFORMED_HEADERS"),
        (lambda h: h.update({"Paycore-Signature-Algorithm": "RSA2"}), "UNSUPPORTED_ALGORITHM"),
    ],
)
def test_a_request_whose_signature_does_not_check_out_is_refused_unsigned(world, spoil, code):
    """Signing costs an RSA private-key operation: unauthenticated junk gets none (PROTOCOL.md 7)."""
    body = payment_body(world, "T-0008")
    headers = signed_request(world, body)
    spoil(headers)
    reply = send(world, headers, body)
    assert (reply.status, error_code(reply)) == (401, code)
    assert "paycore-signature" not in reply.headers and "paycore-key-id" not in reply.headers


def test_idempotent_retry_returns_the_first_answer_without_a_second_debit(world):
    body = payment_body(world, "T-0009")
    first = send(world, signed_request(world, body, idempotency_key="key-T-0009"), body)
    entries = ledger_entries(world)
    retry = send(world, signed_request(world, body, idempotency_key="key-T-0009"), body)
    assert retry.status == 200 and retry.body == first.body
    assert ledger_entries(world) == entries


def test_an_idempotency_key_reused_with_a_different_amount_is_refused(world):
    first = payment_body(world, "T-0010")
    assert send(world, signed_request(world, first, idempotency_key="key-T-0010"), first).status == 200
    other = payment_body(world, "T-0010", amount=Money(99_999, "CNY"))
    reply = send(world, signed_request(world, other, idempotency_key="key-T-0010"), other)
    assert (reply.status, error_code(reply)) == (422, "IDEMPOTENCY_KEY_REUSED")


def test_a_second_request_for_the_same_out_trade_no_is_refused(world):
    body = payment_body(world, "T-0011")
    assert send(world, signed_request(world, body), body).status == 200
    entries = ledger_entries(world)
    again = payment_body(world, "T-0011")
    reply = send(world, signed_request(world, again), again)
    assert (reply.status, error_code(reply)) == (409, "DUPLICATE_OUT_TRADE_NO")
    assert ledger_entries(world) == entries


def test_a_concurrent_duplicate_gets_409_while_the_first_is_in_progress(world):
    from paycore.payment.gateway import idempotency

    body = payment_body(world, "T-0012")
    with world.gateway.store.transaction() as unit:  # the first request has claimed the key ...
        idempotency.claim(
            unit,
            "M100001",
            "key-T-0012",
            idempotency.fingerprint("POST", "/v1/payments", body),
            world.clock.now(),
        )
    reply = send(
        world, signed_request(world, body, idempotency_key="key-T-0012"), body
    )  # ... and a twin arrives
    assert (reply.status, error_code(reply)) == (409, "REQUEST_IN_PROGRESS")


def test_the_body_must_name_the_signing_merchant(world):
    document = json.loads(payment_body(world, "T-0013"))
    document["merchant_id"] = "M999999"
    body = json.dumps(document).encode()
    assert error_code(send(world, signed_request(world, body), body)) == "MERCHANT_MISMATCH"


def test_an_envelope_moved_to_another_order_cannot_be_opened(world):
    sealed_for_one = json.loads(payment_body(world, "T-0014"))["payer"]
    document = json.loads(payment_body(world, "T-0015"))
    document["payer"] = sealed_for_one
    body = json.dumps(document).encode()
    reply = send(world, signed_request(world, body), body)
    assert (reply.status, error_code(reply)) == (400, "PAYER_UNREADABLE")


@pytest.mark.parametrize(
    "change, code",
    [
        (lambda d: d["amount"].update(value=100.0), "INVALID_REQUEST"),
        (lambda d: d["amount"].update(value="100"), "INVALID_REQUEST"),
        (lambda d: d["amount"].update(value=-100), "INVALID_REQUEST"),
        (lambda d: d["amount"].update(value=0), "INVALID_REQUEST"),
        (lambda d: d["amount"].update(value=10**13), "INVALID_REQUEST"),
        (lambda d: d["amount"].update(currency="XXX"), "INVALID_REQUEST"),
        (lambda d: d.pop("notify_url"), "INVALID_REQUEST"),
        (lambda d: d.update(extra="field"), "INVALID_REQUEST"),
        (lambda d: d.update(out_trade_no="bad no!"), "INVALID_REQUEST"),
        (lambda d: d.update(notify_url="javascript:alert(1)"), "INVALID_REQUEST"),
    ],
)
def test_bad_bodies_are_refused_after_verification_with_a_clear_code(world, change, code):
    entries = ledger_entries(world)
    document = json.loads(payment_body(world, "T-0016"))
    change(document)
    body = json.dumps(document).encode()
    reply = send(world, signed_request(world, body), body)
    assert 400 <= reply.status < 500 and error_code(reply) == code
    assert ledger_entries(world) == entries


def test_malformed_json_that_is_validly_signed(world):
    body = b'{"merchant_id": "M100001", '
    reply = send(world, signed_request(world, body), body)
    assert (reply.status, error_code(reply)) == (400, "MALFORMED_JSON")


def test_unsigned_junk_never_reaches_the_parser(world):
    reply = world.network.request(
        "POST", GATEWAY_URL + "/v1/payments", {"Content-Type": "application/json"}, b"{not even json"
    )
    assert (reply.status, error_code(reply)) == (401, "MALFORMED_HEADERS")


def test_query_and_refund_are_signed_calls_too(world):
    body = payment_body(world, "T-0017", amount=CNY_100)
    send(world, signed_request(world, body), body)
    path = "/v1/payments/T-0017"
    reply = send(world, signed_request(world, b"", path=path, method="GET"), b"", path=path, method="GET")
    assert reply.status == 200 and json.loads(reply.body)["out_trade_no"] == "T-0017"
    missing = "/v1/payments/T-none"
    reply = send(
        world, signed_request(world, b"", path=missing, method="GET"), b"", path=missing, method="GET"
    )
    assert (reply.status, error_code(reply)) == (404, "PAYMENT_NOT_FOUND")
    # A query path signed for one payment cannot be replayed against another.
    headers = signed_request(world, b"", path=path, method="GET")
    assert error_code(send(world, headers, b"", path=missing, method="GET")) == "INVALID_SIGNATURE"
