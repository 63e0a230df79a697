"""The one MessageVerifier alone: every refusal, in the order it is checked, for requests and answers.

Each refusal is shown alone, and then on a message that fails it *and* the next check, which must
be refused for the earlier one. The last part verifies the real bytes of docs/protocol-example/
(recorded once by the real parties) on a clock set to the example's time.
"""

from pathlib import Path

import pytest

from paycore import secure
from paycore.payment.clock import FakeClock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.protocol.signing import MessageSigner, MessageVerifier, PinnedKey, Verified
from tests.payment.fakes import MemoryNonces
from tests.payment.helpers import has_a_message

NOW = 1_764_201_600
BODY = b'{"merchant_id":"M100001"}'
PATH = "/v1/payments"


@pytest.fixture
def clock():
    return FakeClock(NOW)


@pytest.fixture
def verifier(merchant_key, clock):
    """The gateway's view of one merchant: its key, pinned to PSS."""
    return MessageVerifier(PinnedKey("M100001", merchant_key.public_key(), "RSA-PSS-SHA256"), clock)


def request_headers(key, *, algorithm="RSA-PSS-SHA256", timestamp=NOW, nonce=None, body=BODY, **changes):
    headers = MessageSigner(key, algorithm).sign_request("POST", PATH, body, timestamp=timestamp, nonce=nonce)
    return {**headers, **changes}


def response_headers(key, request_nonce, *, algorithm="RSA-PSS-SHA256", timestamp=NOW, status=200, body=BODY):
    return MessageSigner(key, algorithm).sign_response(status, request_nonce, body, timestamp=timestamp)


def refusal_of(call) -> ErrorCode:
    with pytest.raises(PaymentError) as refusal:
        call()
    assert has_a_message(refusal.value)
    return refusal.value.code


# -- requests --------------------------------------------------------------------------------------
def test_a_good_request_is_verified_and_says_who_signed_it(verifier, merchant_key):
    headers = request_headers(merchant_key, timestamp=NOW - 12)
    verified = verifier.verify_request("POST", PATH, headers, BODY)
    assert verified == Verified("M100001", secure.key_id(merchant_key), headers["Paycore-Nonce"], NOW - 12)


def test_request_refusals_each_alone(verifier, merchant_key, attacker_key):
    def verify(headers, body=BODY, method="POST", path=PATH):
        return refusal_of(lambda: verifier.verify_request(method, path, headers, body))

    assert verify({"Paycore-Key-Id": "x"}) is ErrorCode.MALFORMED_HEADERS
    assert verify(request_headers(attacker_key)) is ErrorCode.UNKNOWN_KEY
    assert verify(request_headers(merchant_key, algorithm="RSA2")) is ErrorCode.UNSUPPORTED_ALGORITHM
    assert verify(request_headers(merchant_key), body=BODY + b" ") is ErrorCode.INVALID_SIGNATURE
    assert verify(request_headers(merchant_key), method="PUT") is ErrorCode.INVALID_SIGNATURE
    assert verify(request_headers(merchant_key), path=PATH + "/x") is ErrorCode.INVALID_SIGNATURE
    forged = {**request_headers(attacker_key), "Paycore-Key-Id": secure.key_id(merchant_key)}
    assert verify(forged) is ErrorCode.INVALID_SIGNATURE
    assert verify(request_headers(merchant_key, timestamp=NOW - 301)) is ErrorCode.TIMESTAMP_OUT_OF_WINDOW
    assert verify(request_headers(merchant_key, timestamp=NOW + 301)) is ErrorCode.TIMESTAMP_OUT_OF_WINDOW


def test_request_refusals_come_in_order(verifier, merchant_key, attacker_key):
    """Each message fails two checks; the earlier one is named."""

    def verify(headers, body=BODY):
        return refusal_of(lambda: verifier.verify_request("POST", PATH, headers, body))

    # malformed headers, from an unknown key
    assert verify(request_headers(attacker_key, nonce="short")) is ErrorCode.MALFORMED_HEADERS
    # an unknown key, with the wrong algorithm
    assert verify(request_headers(attacker_key, algorithm="RSA2")) is ErrorCode.UNKNOWN_KEY
    # the wrong algorithm for this key, over a changed body
    assert (
        verify(request_headers(merchant_key, algorithm="RSA2"), BODY + b" ")
        is ErrorCode.UNSUPPORTED_ALGORITHM
    )
    # a bad signature, outside the window
    assert (
        verify(request_headers(merchant_key, timestamp=NOW - 3600), BODY + b" ")
        is ErrorCode.INVALID_SIGNATURE
    )


def test_the_nonce_is_checked_last_after_the_window(verifier, merchant_key, clock):
    nonces = MemoryNonces()
    first = request_headers(merchant_key)
    verifier.remember(verifier.verify_request("POST", PATH, first, BODY), nonces)
    assert (
        refusal_of(lambda: verifier.remember(verifier.verify_request("POST", PATH, first, BODY), nonces))
        is ErrorCode.REPLAYED_NONCE
    )
    stale_replay = request_headers(merchant_key, timestamp=NOW - 3600, nonce=first["Paycore-Nonce"])
    assert (
        refusal_of(lambda: verifier.verify_request("POST", PATH, stale_replay, BODY))
        is ErrorCode.TIMESTAMP_OUT_OF_WINDOW
    )


def test_the_window_is_the_verifiers_own(merchant_key, clock):
    narrow = MessageVerifier(
        PinnedKey("M100001", merchant_key.public_key(), "RSA-PSS-SHA256"), clock, window=10
    )
    assert narrow.window == 10
    narrow.verify_request("POST", PATH, request_headers(merchant_key, timestamp=NOW - 10), BODY)
    narrow.verify_request("POST", PATH, request_headers(merchant_key, timestamp=NOW + 10), BODY)
    for stamp in (NOW - 11, NOW + 11):
        headers = request_headers(merchant_key, timestamp=stamp)
        assert (
            refusal_of(lambda headers=headers: narrow.verify_request("POST", PATH, headers, BODY))
            is ErrorCode.TIMESTAMP_OUT_OF_WINDOW
        )


class RecordingNonces:
    def __init__(self, answer=True):
        self.answer = answer
        self.calls = []

    def remember_nonce(self, key_id, nonce, expires_at, now):
        self.calls.append((key_id, nonce, expires_at, now))
        return self.answer


def test_remember_keeps_the_nonce_for_as_long_as_the_message_could_pass(verifier, merchant_key, clock):
    nonces = RecordingNonces()
    message = Verified("M100001", secure.key_id(merchant_key), "n" * 32, NOW + 40)  # a fast sender clock
    verifier.remember(message, nonces)
    assert nonces.calls == [(secure.key_id(merchant_key), "n" * 32, NOW + 40 + 300, NOW)]
    with pytest.raises(PaymentError) as refusal:
        verifier.remember(message, RecordingNonces(answer=False))
    assert refusal.value.code is ErrorCode.REPLAYED_NONCE


# -- answers ---------------------------------------------------------------------------------------
@pytest.fixture
def merchant_side(gateway_key, clock):
    """The merchant's view of the gateway: its key, pinned to PSS."""
    return MessageVerifier(PinnedKey("gateway", gateway_key.public_key(), "RSA-PSS-SHA256"), clock)


REQUEST_NONCE = "a1" * 16


def test_a_good_answer_is_verified(merchant_side, gateway_key):
    headers = response_headers(gateway_key, REQUEST_NONCE)
    verified = merchant_side.verify_response(200, REQUEST_NONCE, headers, BODY)
    assert verified == Verified("gateway", secure.key_id(gateway_key), headers["Paycore-Nonce"], NOW)


def test_answer_refusals_each_alone(merchant_side, gateway_key, attacker_key):
    def verify(headers, status=200, nonce=REQUEST_NONCE, body=BODY):
        return refusal_of(lambda: merchant_side.verify_response(status, nonce, headers, body))

    good = response_headers(gateway_key, REQUEST_NONCE)
    assert verify({}) is ErrorCode.MALFORMED_HEADERS
    assert verify({**good, "Paycore-Signature": "***"}) is ErrorCode.MALFORMED_HEADERS
    assert verify(response_headers(attacker_key, REQUEST_NONCE)) is ErrorCode.UNKNOWN_KEY
    assert (
        verify(response_headers(gateway_key, REQUEST_NONCE, algorithm="RSA2"))
        is ErrorCode.UNSUPPORTED_ALGORITHM
    )
    assert verify(good, status=201) is ErrorCode.INVALID_SIGNATURE
    assert verify(good, nonce="b2" * 16) is ErrorCode.INVALID_SIGNATURE  # an answer to another request
    assert verify(good, body=BODY.replace(b"M1", b"M2")) is ErrorCode.INVALID_SIGNATURE
    assert (
        verify(response_headers(gateway_key, REQUEST_NONCE, timestamp=NOW - 3600))
        is ErrorCode.TIMESTAMP_OUT_OF_WINDOW
    )
    assert (
        verify(response_headers(gateway_key, REQUEST_NONCE, timestamp=NOW + 301))
        is ErrorCode.TIMESTAMP_OUT_OF_WINDOW
    )


def test_answer_refusals_come_in_order(merchant_side, gateway_key, attacker_key):
    def verify(headers, nonce=REQUEST_NONCE):
        return refusal_of(lambda: merchant_side.verify_response(200, nonce, headers, BODY))

    unknown_and_malformed = {**response_headers(attacker_key, REQUEST_NONCE), "Paycore-Timestamp": "soon"}
    assert verify(unknown_and_malformed) is ErrorCode.MALFORMED_HEADERS
    assert verify(response_headers(attacker_key, REQUEST_NONCE, algorithm="RSA2")) is ErrorCode.UNKNOWN_KEY
    assert verify(response_headers(gateway_key, REQUEST_NONCE, algorithm="RSA2"), "c3" * 16) is (
        ErrorCode.UNSUPPORTED_ALGORITHM
    )
    assert verify(response_headers(gateway_key, REQUEST_NONCE, timestamp=NOW - 3600), "c3" * 16) is (
        ErrorCode.INVALID_SIGNATURE
    )


# -- the real bytes of docs/protocol-example/ ------------------------------------------------------
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "protocol-example"


def example(name: str) -> bytes:
    return (EXAMPLE / name).read_bytes()


def example_headers(name: str) -> list[tuple[str, str]]:
    """``Name: value`` lines as received (names keep their case; the verifier must not care)."""
    return [tuple(line.split(": ", 1)) for line in example(name).decode("ascii").splitlines()]


def example_key(party: str):
    return secure.load_public_key_pem(example(f"{party}-public.EXAMPLE.pem"))


@pytest.fixture
def example_clock():
    stamp = dict((k.lower(), v) for k, v in example_headers("request-headers.txt"))["paycore-timestamp"]
    return FakeClock(int(stamp))


def example_verifier(party: str, clock, algorithm: str = "RSA-PSS-SHA256") -> MessageVerifier:
    return MessageVerifier(PinnedKey(party, example_key(party), algorithm), clock)


def request_nonce() -> str:
    return dict((k.lower(), v) for k, v in example_headers("request-headers.txt"))["paycore-nonce"]


def test_the_example_request_verifies_as_the_merchants(example_clock):
    headers, body = example_headers("request-headers.txt"), example("request-body.json")
    verified = example_verifier("merchant", example_clock).verify_request(
        "POST", "/v1/payments", headers, body
    )
    assert (verified.owner, verified.nonce) == ("merchant", request_nonce())
    assert verified.key_id == secure.key_id(example_key("merchant"))
    nonces = MemoryNonces()
    example_verifier("merchant", example_clock).remember(verified, nonces)
    with pytest.raises(PaymentError) as replayed:
        example_verifier("merchant", example_clock).remember(verified, nonces)
    assert replayed.value.code is ErrorCode.REPLAYED_NONCE


def test_the_example_request_is_refused_for_each_reason(example_clock):
    headers, body = example_headers("request-headers.txt"), example("request-body.json")

    def verify(verifier, headers=headers, body=body, path="/v1/payments"):
        return refusal_of(lambda: verifier.verify_request("POST", path, headers, body))

    merchant = example_verifier("merchant", example_clock)
    assert verify(merchant, headers=headers[:-2]) is ErrorCode.MALFORMED_HEADERS  # no signature header
    assert verify(example_verifier("gateway", example_clock)) is ErrorCode.UNKNOWN_KEY
    assert verify(example_verifier("merchant", example_clock, "RSA2")) is ErrorCode.UNSUPPORTED_ALGORITHM
    assert verify(merchant, body=body.replace(b"9980", b"9981")) is ErrorCode.INVALID_SIGNATURE
    assert verify(merchant, path="/v1/refunds") is ErrorCode.INVALID_SIGNATURE
    example_clock.advance(301)
    assert verify(merchant) is ErrorCode.TIMESTAMP_OUT_OF_WINDOW


def test_the_example_response_verifies_as_the_gateways_answer_to_that_request(example_clock):
    headers, body = example_headers("response-headers.txt"), example("response-body.json")
    status = int(example("response-status.txt"))
    gateway = example_verifier("gateway", example_clock)
    verified = gateway.verify_response(status, request_nonce(), headers, body)
    assert verified.owner == "gateway" and verified.nonce != request_nonce()

    asked = request_nonce()

    def verify(verifier=gateway, status=status, nonce=asked, body=body):
        return refusal_of(lambda: verifier.verify_response(status, nonce, headers, body))

    assert verify(nonce="0" * 32) is ErrorCode.INVALID_SIGNATURE  # not an answer to another request
    assert verify(status=500) is ErrorCode.INVALID_SIGNATURE
    assert verify(body=body.replace(b"SUCCEEDED", b"SUCCEEDEX")) is ErrorCode.INVALID_SIGNATURE
    assert verify(example_verifier("merchant", example_clock)) is ErrorCode.UNKNOWN_KEY
    assert verify(example_verifier("gateway", example_clock, "RSA2")) is ErrorCode.UNSUPPORTED_ALGORITHM
    example_clock.advance(-301)
    assert verify() is ErrorCode.TIMESTAMP_OUT_OF_WINDOW


def test_the_example_notification_verifies_as_the_gateways_request_to_the_notify_path(example_clock):
    headers, body = example_headers("notification-headers.txt"), example("notification-body.json")
    gateway = example_verifier("gateway", example_clock)
    assert gateway.verify_request("POST", "/paycore/notify", headers, body).owner == "gateway"
    with pytest.raises(PaymentError) as refusal:
        gateway.verify_request("POST", "/paycore/other", headers, body)
    assert refusal.value.code is ErrorCode.INVALID_SIGNATURE
    with pytest.raises(PaymentError) as refusal:
        example_verifier("merchant", example_clock).verify_request("POST", "/paycore/notify", headers, body)
    assert refusal.value.code is ErrorCode.UNKNOWN_KEY
