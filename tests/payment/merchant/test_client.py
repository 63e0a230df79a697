"""The GatewayClient alone, against the fake gateway link: sign, resend, verify, parse -- or raise."""

import pytest

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant.client import BACKOFF_SECONDS, SEND_ATTEMPTS, GatewayClient, GatewayRefusal
from paycore.payment.protocol.signing import MessageSigner
from paycore.payment.protocol.wire import Headers, Reply
from tests.payment.builders import payment_resource
from tests.payment.fakes import FAKE_GATEWAY_URL


def test_three_attempts_with_growing_pauses_then_unavailable(client, fake_gateway, clock):
    assert (SEND_ATTEMPTS, BACKOFF_SECONDS) == (3, (0.05, 0.2))
    fake_gateway.unreachable = True
    start = clock.now()
    with pytest.raises(PaymentError) as refusal:
        client.query("ord_a-1")
    assert refusal.value.code is ErrorCode.GATEWAY_UNAVAILABLE and len(fake_gateway.received) == 3
    assert refusal.value.message == "the payment platform could not be reached"
    assert clock.now() == pytest.approx(start + 0.25)


def test_the_attempts_and_pauses_can_be_configured(merchant_key, gateway_pinned, fake_gateway, clock):
    client = GatewayClient(
        MessageSigner(merchant_key),
        gateway_pinned,
        fake_gateway,
        FAKE_GATEWAY_URL + "/",
        clock,
        attempts=4,
        backoff=(1.0,),
    )
    fake_gateway.unreachable = True
    start = clock.now()
    with pytest.raises(PaymentError):
        client.query("ord_a-1")
    assert len(fake_gateway.received) == 4 and clock.now() == start + 3.0  # the last pause repeats
    assert fake_gateway.received[0].url == "http://gateway.fake.test/v1/payments/ord_a-1"


def test_each_attempt_is_signed_afresh_and_reported_before_it_leaves(client, fake_gateway, clock):
    fake_gateway.unreachable, fake_gateway.delay = True, 7
    signed_at = []
    with pytest.raises(PaymentError):
        client.send("POST", "/v1/payments", b"{}", idempotency_key="key-00000001", on_signed=signed_at.append)
    assert signed_at == [int(sent.headers["Paycore-Timestamp"]) for sent in fake_gateway.received]
    assert len({sent.headers["Paycore-Nonce"] for sent in fake_gateway.received}) == 3
    assert {sent.headers["Idempotency-Key"] for sent in fake_gateway.received} == {"key-00000001"}


def test_a_get_carries_no_idempotency_key(client, fake_gateway):
    with pytest.raises(GatewayRefusal):
        client.query("ord_a-1")
    assert "Idempotency-Key" not in fake_gateway.received[0].headers


def test_a_query_parses_the_signed_payment(client, fake_gateway):
    fake_gateway.payments["ord_a-1"] = payment_resource("ord_a-1", 500)
    payment = client.query("ord_a-1")
    assert (payment.out_trade_no, payment.amount.value, payment.status) == ("ord_a-1", 500, "SUCCEEDED")
    assert client.gateway_key_id == fake_gateway.signer.key_id


def test_a_signed_refusal_becomes_a_gateway_refusal(client, fake_gateway):
    with pytest.raises(GatewayRefusal) as refusal:
        client.query("ord_none-1")
    assert (refusal.value.status, refusal.value.code) == (404, "PAYMENT_NOT_FOUND")
    assert refusal.value.message == "no payment with this out_trade_no"
    assert str(refusal.value) == "PAYMENT_NOT_FOUND: no payment with this out_trade_no"


def signed_reply(fake_gateway, status, body, nonce):
    headers = fake_gateway.signer.sign_response(status, nonce, body, timestamp=int(fake_gateway.clock.now()))
    return Reply(status, Headers(headers), body)


def test_verify_reply_returns_the_json_object_of_a_genuine_answer(client, fake_gateway):
    reply = signed_reply(fake_gateway, 200, b'{"a":1}', "n" * 32)
    assert client.verify_reply(reply, "n" * 32) == {"a": 1}
    with pytest.raises(PaymentError, match="failed checks: signature does not match"):
        client.verify_reply(reply, "m" * 32)


@pytest.mark.parametrize("body", [b"[1,2]", b"not json"])
def test_a_signed_answer_that_is_not_a_json_object_is_invalid(client, fake_gateway, body):
    with pytest.raises(PaymentError) as refusal:
        client.verify_reply(signed_reply(fake_gateway, 200, body, "n" * 32), "n" * 32)
    assert refusal.value.code is ErrorCode.GATEWAY_RESPONSE_INVALID
    assert refusal.value.message == "the gateway's answer is not a JSON object"


def test_an_unsigned_answer_names_its_status(client):
    with pytest.raises(PaymentError) as refusal:
        client.verify_reply(Reply(200, {}, b"{}"), "n" * 32)
    assert refusal.value.message == "the gateway's answer (HTTP 200) is not signed: treated as forged"


def test_a_200_that_is_not_the_expected_resource_is_invalid(client, fake_gateway):
    fake_gateway.payments["ord_a-1"] = {"unexpected": True}
    with pytest.raises(PaymentError) as refusal:
        client.query("ord_a-1")
    assert (refusal.value.code, refusal.value.message) == (
        ErrorCode.GATEWAY_RESPONSE_INVALID,
        "the gateway's answer is not a payment",
    )


@pytest.mark.parametrize(
    "body, code, message",
    [
        (b'{"error":{"code":"REFUND_NOT_ALLOWED","message":"no"}}', "REFUND_NOT_ALLOWED", "no"),
        (b'{"error":"flat"}', "UNKNOWN", ""),
        (b'{"other":1}', "UNKNOWN", ""),
        (b'{"error":{"code":7}}', "7", ""),
    ],
)
def test_a_refusal_is_read_defensively(body, code, message):
    with pytest.raises(GatewayRefusal) as refusal:
        GatewayClient._resource(Reply(409, {}, body), object, "payment")
    assert (refusal.value.status, refusal.value.code, refusal.value.message) == (409, code, message)


def test_a_refusal_is_passed_on_with_our_code_and_a_status_it_allows():
    passed = GatewayRefusal(409, "REFUND_NOT_ALLOWED", "too much").passed_on()
    assert (passed.code, passed.status, passed.message) == (ErrorCode.REFUND_NOT_ALLOWED, 409, "too much")
    other_status = GatewayRefusal(418, "REFUND_NOT_ALLOWED", "").passed_on()
    assert (other_status.status, other_status.message) == (409, "refused")
    alternative = GatewayRefusal(400, "INVALID_REQUEST", "key").passed_on()
    assert alternative.status == 400
    unknown = GatewayRefusal(409, "SOMETHING_NEW", "?").passed_on()
    assert unknown.code is ErrorCode.GATEWAY_RESPONSE_INVALID and "'SOMETHING_NEW'" in unknown.message


@pytest.mark.parametrize("what", ["payment", "refund"])
def test_a_200_to_a_payment_or_a_refund_that_is_not_one_is_invalid(client, fake_gateway, what):
    fake_gateway.refuse = None
    fake_gateway._pay = fake_gateway._refund = lambda request: (200, {"unexpected": True})
    call = {
        "payment": lambda: client.pay(b'{"x":1}', idempotency_key="key-00000001", on_signed=lambda _: None),
        "refund": lambda: client.refund(b'{"x":1}', idempotency_key="key-00000002"),
    }[what]
    with pytest.raises(PaymentError) as refusal:
        call()
    assert refusal.value.message == f"the gateway's answer is not a {what}"
