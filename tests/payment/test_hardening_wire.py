"""One reading of every signed byte, HTTP details, and slow clients -- over real HTTP and raw TCP.

docs/PROTOCOL.md section 5.1: a signature covers the request *target exactly as sent on the request
line* (path and query, percent-encoding untouched), the timestamp and nonce *as sent*, and the
exact body bytes; section 5.2: the five signature headers, each well formed. So two different
messages never share a canonical string, and a message has one reading only: no key named twice in
a JSON body, no header sent twice, no second spelling of a timestamp.
"""

import json
import socket
import threading
import time
import uuid

import pytest

from paycore import secure
from paycore.payment import web
from paycore.payment.protocol import ALGORITHM, KEY_ID, NONCE, SIGNATURE, SIGNATURE_HEADERS, TIMESTAMP
from paycore.payment.protocol.signing import MessageSigner, canonical_request
from paycore.tools.http_server import HeaderDeadlineProtocol
from tests.payment.conftest import load_pinned_key
from tests.payment.hardening_helpers import (
    DEMO_CARD,
    USER,
    closed_by_peer,
    new_trade_no,
    raw_exchange,
    raw_request,
    read_answer,
    request_nonce,
)


def code(response) -> str | None:
    return response.json().get("error", {}).get("code")


def payments_for(live, out_trade_no: str) -> int:
    return live.rows("gateway", "SELECT COUNT(*) FROM payments WHERE out_trade_no = ?", (out_trade_no,))[0][0]


def replace_header(headers, name: str, value: str):
    return [(key, value if key == name else current) for key, current in headers]


# -- 6. one reading of every signed byte ---------------------------------------------------------------------
def test_a_signed_body_naming_amount_twice_is_refused(live):
    out_trade_no = new_trade_no()
    body = live.payment_body(out_trade_no, value=100)
    twice = body.replace(b'"amount":{', b'"amount":{"value":1,"currency":"CNY"},"amount":{', 1)
    assert twice.count(b'"amount"') == 2
    headers = live.signed_headers(twice)  # genuinely signed: the signature vouches for both
    answer = live.to_gateway(twice, headers)
    assert (answer.status_code, code(answer)) == (400, "DUPLICATE_JSON_KEY")
    assert live.answer_is_signed(answer, request_nonce(headers))
    assert payments_for(live, out_trade_no) == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"amount":{"value":100,"currency":"CNY"},"amount":{"value":1,"currency":"CNY"},"method":%s}',
        b'{"amount":{"value":100,"value":1,"currency":"CNY"},"method":%s}',
    ],
    ids=["amount-twice", "value-twice-inside-amount"],
)
def test_the_merchant_api_refuses_a_key_named_twice(live, body):
    order = live.new_order(100)
    with live.merchant() as client:
        answer = client.post(
            f"/orders/{order['order_id']}/pay",
            headers={**USER, "Content-Type": "application/json"},
            content=body % json.dumps(DEMO_CARD).encode(),
        )
        assert (answer.status_code, code(answer)) == (400, "DUPLICATE_JSON_KEY")
        assert client.get(f"/orders/{order['order_id']}", headers=USER).json()["status"] == "CREATED"


@pytest.mark.parametrize("name", SIGNATURE_HEADERS)
def test_a_signature_header_sent_twice_is_malformed_and_answered_unsigned(live, name):
    out_trade_no = new_trade_no()
    body = live.payment_body(out_trade_no)
    headers = live.signed_headers(body)
    headers.append((name.lower(), dict(headers)[name]))  # the very same value again: only the repeat is wrong
    answer = live.to_gateway(body, headers)
    assert (answer.status_code, code(answer)) == (401, "MALFORMED_HEADERS")
    assert "paycore-signature" not in answer.headers
    assert payments_for(live, out_trade_no) == 0


def test_an_idempotency_key_sent_twice_is_refused(live):
    out_trade_no = new_trade_no()
    body = live.payment_body(out_trade_no)
    headers = [*live.signed_headers(body), ("Idempotency-Key", str(uuid.uuid4()))]
    answer = live.to_gateway(body, headers)
    assert (answer.status_code, code(answer)) == (400, "INVALID_REQUEST")
    assert answer.json()["error"]["message"] == "send the Idempotency-Key header once"
    assert live.answer_is_signed(answer, request_nonce(headers))
    assert payments_for(live, out_trade_no) == 0


@pytest.mark.parametrize(
    "sent, signed, accepted",
    [
        ("/v1/payments?x=1", "/v1/payments?x=1", True),
        ("/v1/payments?x=1", "/v1/payments", False),  # a query the signature does not cover
        ("/v1/%70ayments", "/v1/payments", False),  # the decoded path is another target
        ("/v1/%70ayments", "/v1/%70ayments", True),
    ],
)
def test_the_signature_covers_the_request_target_exactly_as_sent(live, sent, signed, accepted):
    """A raw socket puts ``sent`` on the request line byte for byte (no client normalises it)."""
    out_trade_no = new_trade_no()
    body = live.payment_body(out_trade_no)
    headers = live.signed_headers(body, target=signed)
    answer = raw_exchange(live.gateway_port, raw_request("POST", sent, live.gateway_port, body, headers))
    if accepted:
        assert answer.status == 200 and answer.json()["out_trade_no"] == out_trade_no
        assert payments_for(live, out_trade_no) == 1
    else:
        assert (answer.status, answer.json()["error"]["code"]) == (401, "INVALID_SIGNATURE")
        assert payments_for(live, out_trade_no) == 0


def test_two_spellings_of_one_timestamp_never_share_a_signature(live):
    """``0<ts>`` is the same number as ``<ts>``; signed as ``<ts>`` it must not pass as ``0<ts>``."""
    out_trade_no = new_trade_no()
    body = live.payment_body(out_trade_no)
    stamp = int(time.time())
    headers = replace_header(live.signed_headers(body, timestamp=stamp), TIMESTAMP, f"0{stamp}")
    answer = live.to_gateway(body, headers)
    assert (answer.status_code, code(answer)) == (401, "MALFORMED_HEADERS")
    assert "paycore-signature" not in answer.headers
    # ... and signed over "0<ts>" itself it is refused the same way: one number, one spelling
    signer = live.merchant_signer
    canonical = canonical_request("POST", "/v1/payments", f"0{stamp}", dict(headers)[NONCE], body)
    signature = secure.sign(signer.private_key, canonical, signer.algorithm)
    import base64

    headers = replace_header(headers, SIGNATURE, base64.b64encode(signature).decode())
    answer = live.to_gateway(body, headers)
    assert (answer.status_code, code(answer)) == (401, "MALFORMED_HEADERS")
    assert payments_for(live, out_trade_no) == 0


# -- 8. HTTP details -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("party, target", [("gateway", "/v1/payments/"), ("merchant", "/orders/")])
def test_a_trailing_slash_is_404_json_and_never_a_redirect_built_from_host(live, party, target):
    port = live.gateway_port if party == "gateway" else live.merchant_port
    request = raw_request("POST", target, port, b"{}", [("Content-Type", "application/json")])
    request = request.replace(f"Host: 127.0.0.1:{port}".encode(), b"Host: evil.example")
    answer = raw_exchange(port, request)
    assert (answer.status, answer.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert answer.header("location") is None and b"evil.example" not in answer.body


@pytest.mark.parametrize(
    "party, method, target, allowed",
    [
        ("gateway", "GET", "/v1/payments", "POST"),
        ("gateway", "PUT", "/v1/refunds", "POST"),
        ("merchant", "GET", "/orders", "POST"),
        ("merchant", "DELETE", "/orders/ord_x/pay", "POST"),
    ],
)
def test_a_405_says_which_methods_are_allowed(live, party, method, target, allowed):
    port = live.gateway_port if party == "gateway" else live.merchant_port
    answer = raw_exchange(port, raw_request(method, target, port))
    assert (answer.status, answer.json()["error"]["code"]) == (405, "METHOD_NOT_ALLOWED")
    assert answer.header("allow") == allowed


def test_a_body_that_is_not_utf8_is_malformed_json_after_a_valid_signature(live):
    out_trade_no = new_trade_no()
    body = live.payment_body(out_trade_no).replace(b'"hardening test"', b'"caf\xe9"')
    headers = live.signed_headers(body)
    answer = live.to_gateway(body, headers)
    assert (answer.status_code, code(answer)) == (400, "MALFORMED_JSON")
    assert live.answer_is_signed(answer, request_nonce(headers))  # the signature was checked first
    assert payments_for(live, out_trade_no) == 0


def test_the_merchant_api_refuses_a_body_that_is_not_utf8(live):
    with live.merchant() as client:
        answer = client.post(
            "/orders",
            headers={**USER, "Content-Type": "application/json"},
            content=b'{"items":[{"sku":"T","name":"caf\xe9","quantity":1,"unit_price":5}],"currency":"CNY"}',
        )
    assert (answer.status_code, code(answer)) == (400, "MALFORMED_JSON")


ORDER = b'{"items":[{"sku":"T","name":"Tea","quantity":1,"unit_price":5}],"currency":"CNY"}'


@pytest.mark.parametrize(
    "content_type, accepted",
    [
        ("application/json-patch+json", False),
        ("application/json; charset=latin-1", False),
        ("text/plain", False),
        ("application/json; charset=utf-8", True),
        ('application/json; charset="UTF-8"', True),
    ],
)
def test_only_application_json_in_utf8_is_read(live, content_type, accepted):
    with live.merchant() as client:
        order = client.post("/orders", headers={**USER, "Content-Type": content_type}, content=ORDER)
    out_trade_no = new_trade_no()
    body = live.payment_body(out_trade_no)
    headers = replace_header(live.signed_headers(body), "Content-Type", content_type)
    payment = live.to_gateway(body, headers)
    if accepted:
        assert order.status_code == 201 and payment.status_code == 200
    else:
        for answer in (order, payment):
            assert (answer.status_code, code(answer)) == (415, "UNSUPPORTED_MEDIA_TYPE")
        assert payments_for(live, out_trade_no) == 0


# -- 10. unauthenticated junk is answered without an RSA signature; signed requests are answered signed ------
def _spoil(live, kind: str, body: bytes) -> list[tuple[str, str]]:
    headers = live.signed_headers(body)
    if kind == "MALFORMED_HEADERS":
        return [(name, value) for name, value in headers if name not in (KEY_ID, SIGNATURE)]
    if kind == "UNKNOWN_KEY":
        return live.signed_headers(body, signer=MessageSigner(load_pinned_key(3072)))
    if kind == "INVALID_SIGNATURE":
        return live.signed_headers(body + b" ")[:-1] + headers[-1:]  # the signature of other bytes
    if kind == "UNSUPPORTED_ALGORITHM":  # the merchant's own key, but not its registered algorithm
        signer = MessageSigner(live.private_key("merchant"), secure.SignatureAlgorithm.PKCS1V15_SHA256)
        return live.signed_headers(body, signer=signer)
    raise ValueError(kind)


@pytest.mark.parametrize(
    "kind", ["MALFORMED_HEADERS", "UNKNOWN_KEY", "INVALID_SIGNATURE", "UNSUPPORTED_ALGORITHM"]
)
def test_a_request_whose_signature_does_not_check_out_is_answered_unsigned(live, kind):
    body = live.payment_body()
    answer = live.to_gateway(body, _spoil(live, kind, body))
    assert (answer.status_code, code(answer)) == (401, kind)
    assert not {name.lower() for name in SIGNATURE_HEADERS} & set(answer.headers)


def test_a_genuinely_signed_request_refused_later_is_answered_signed(live):
    body = live.payment_body()
    stale = live.signed_headers(body, timestamp=int(time.time()) - 1000)
    answer = live.to_gateway(body, stale)
    assert (answer.status_code, code(answer)) == (401, "TIMESTAMP_OUT_OF_WINDOW")
    assert live.answer_is_signed(answer, request_nonce(stale))
    fresh = live.signed_headers(body)
    assert live.to_gateway(body, fresh).status_code == 200
    replayed = live.to_gateway(body, fresh)  # the same nonce again
    assert code(replayed) == "REPLAYED_NONCE" and live.answer_is_signed(replayed, request_nonce(fresh))
    assert {ALGORITHM.lower(), KEY_ID.lower()} <= set(replayed.headers)


# -- 10. slow clients ----------------------------------------------------------------------------------------
@pytest.fixture
def short_deadlines(monkeypatch):
    """Header and body deadlines of a fraction of a second (both are read per connection / request)."""
    monkeypatch.setattr(HeaderDeadlineProtocol, "header_timeout", 0.5)
    monkeypatch.setattr(web, "BODY_TIMEOUT", 0.5)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=20)


@pytest.mark.parametrize("party", ["gateway", "merchant"])
def test_half_a_request_line_gets_408_and_the_connection_is_closed(live, short_deadlines, party):
    port = live.gateway_port if party == "gateway" else live.merchant_port
    with connect(port) as sock:
        sock.sendall(b"POST /v1/pay")
        answer = read_answer(sock)
        assert (answer.status, answer.json()["error"]["code"]) == (408, "REQUEST_TIMEOUT")
        assert closed_by_peer(sock)


def test_a_silent_connection_is_closed_without_an_unasked_for_408(live, short_deadlines):
    """Nothing was asked, so nothing is answered: a client must never read a 408 as its next answer."""
    with connect(live.merchant_port) as sock:
        assert closed_by_peer(sock)  # the peer hung up ...
    with connect(live.merchant_port) as sock:
        sock.settimeout(5)
        assert sock.recv(1024) == b""  # ... and wrote nothing first


def test_many_half_sent_requests_are_all_answered_408_and_closed(live, short_deadlines):
    socks = [connect(live.merchant_port) for _ in range(40)]
    try:
        for index, sock in enumerate(socks):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n"[: 5 + index % 20])  # cut anywhere
        for sock in socks:
            assert read_answer(sock).status == 408 and closed_by_peer(sock)
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.parametrize("party, target", [("gateway", "/v1/payments"), ("merchant", "/orders")])
def test_a_body_that_stops_half_way_gets_408(live, short_deadlines, party, target):
    port = live.gateway_port if party == "gateway" else live.merchant_port
    head = raw_request("POST", target, port, b"", [("Content-Type", "application/json"), *USER.items()])
    head = head.replace(b"Content-Length: 0", b"Content-Length: 200")
    with connect(port) as sock:
        sock.sendall(head + b'{"items": [')  # 11 of the 200 bytes promised, then nothing
        answer = read_answer(sock)
    assert (answer.status, answer.json()["error"]["code"]) == (408, "REQUEST_TIMEOUT")


def test_each_request_on_a_kept_alive_connection_gets_its_own_header_deadline(live, monkeypatch):
    """The deadline counts from the previous answer, not from the connection, and is armed again."""
    monkeypatch.setattr(HeaderDeadlineProtocol, "header_timeout", 1.5)
    health = raw_request("GET", "/healthz", live.merchant_port)
    with connect(live.merchant_port) as sock:
        for _ in range(2):  # 0.9 s of silence before each: within each deadline, past the first one's
            threading.Event().wait(0.9)
            sock.sendall(health)
            assert read_answer(sock).status == 200
        sock.sendall(b"GET /hea")  # the third request stalls: it gets its own 408, with its own figure
        answer = read_answer(sock)
        assert (answer.status, answer.json()["error"]["code"]) == (408, "REQUEST_TIMEOUT")
        assert "within 1.5 s" in answer.json()["error"]["message"]  # the deadline in force, not the default
        assert closed_by_peer(sock)
