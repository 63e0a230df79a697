"""Both HTTP apps: every rejection is a JSON error with a stable code, never a 500, and nothing leaks."""

import json
import logging
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paycore.payment.runtime.world import GATEWAY_URL
from tests.payment.helpers import send, signed_request

USER = {"X-User-Id": "alice"}
ORDER = {
    "items": [{"sku": "TEA-1", "name": "Green tea", "quantity": 2, "unit_price": 4990}],
    "currency": "CNY",
}
CARD = {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "987"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def code(response):
    return response.json()["error"]["code"]


def create(client):
    response = client.post("/orders", json=ORDER, headers=USER)
    assert response.status_code == 201
    return response.json()["order_id"]


@pytest.mark.parametrize(
    "body, status, error",
    [
        (b"{not json", 400, "MALFORMED_JSON"),
        (b"", 422, "INVALID_REQUEST"),
        (json.dumps({"items": [], "currency": "CNY"}).encode(), 422, "INVALID_REQUEST"),
        (json.dumps({**ORDER, "currency": 156}).encode(), 422, "INVALID_REQUEST"),
        (
            json.dumps({"items": [{**ORDER["items"][0], "unit_price": 49.9}], "currency": "CNY"}).encode(),
            422,
            "INVALID_REQUEST",
        ),
        (
            json.dumps({"items": [{**ORDER["items"][0], "quantity": "2"}], "currency": "CNY"}).encode(),
            422,
            "INVALID_REQUEST",
        ),
        (
            json.dumps({"items": [{**ORDER["items"][0], "unit_price": -1}], "currency": "CNY"}).encode(),
            422,
            "INVALID_REQUEST",
        ),
        (json.dumps({**ORDER, "currency": "XXX"}).encode(), 422, "INVALID_REQUEST"),
        (json.dumps({**ORDER, "coupon": "FREE"}).encode(), 422, "INVALID_REQUEST"),
        (b"[" * 70_000, 413, "PAYLOAD_TOO_LARGE"),
    ],
)
def test_bad_order_bodies(world, body, status, error):
    response = world.merchant_client().post(
        "/orders", content=body, headers={**USER, "Content-Type": "application/json"}
    )
    assert (response.status_code, code(response)) == (status, error)


@pytest.mark.parametrize(
    "payment, status, error",
    [
        ({"amount": {"value": 9980.0, "currency": "CNY"}, "method": CARD}, 422, "INVALID_REQUEST"),
        ({"amount": {"value": -9980, "currency": "CNY"}, "method": CARD}, 422, "INVALID_REQUEST"),
        ({"amount": {"value": 9980, "currency": "CNY"}}, 422, "INVALID_REQUEST"),
        (
            {"amount": {"value": 9980, "currency": "CNY"}, "method": {**CARD, "number": "4111111111111112"}},
            422,
            "INVALID_REQUEST",
        ),
        ({"amount": {"value": 9980, "currency": "CNY"}, "method": {"type": "cash"}}, 422, "INVALID_REQUEST"),
        ({"amount": {"value": 1, "currency": "CNY"}, "method": CARD}, 422, "AMOUNT_MISMATCH"),
    ],
)
def test_bad_payments_never_echo_the_card(world, payment, status, error):
    client = world.merchant_client()
    response = client.post(f"/orders/{create(client)}/pay", json=payment, headers=USER)
    assert (response.status_code, code(response)) == (status, error)
    assert "4111111111111111" not in response.text and "4111111111111112" not in response.text


def test_identity_routes_and_methods(world):
    client = world.merchant_client()
    order_id = create(client)
    assert client.get(f"/orders/{order_id}", headers={"X-User-Id": "mallory"}).status_code == 404
    assert code(client.get(f"/orders/{order_id}")) == "INVALID_REQUEST"  # no X-User-Id at all
    assert code(client.get("/nowhere")) == "NOT_FOUND"
    assert code(client.request("DELETE", f"/orders/{order_id}", headers=USER)) == "METHOD_NOT_ALLOWED"
    assert code(world.gateway_client().get("/nowhere")) == "NOT_FOUND"


def test_a_body_not_sent_as_json_gets_415_saying_what_to_do(world):
    response = world.merchant_client().post(
        "/orders", content=json.dumps(ORDER).encode(), headers={**USER, "Content-Type": "text/plain"}
    )
    assert (response.status_code, code(response)) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert "Content-Type: application/json" in response.json()["error"]["message"]


def test_the_operator_endpoint_needs_the_admin_token(world):
    client = world.merchant_client()
    for headers in ({}, {"X-Admin-Token": "guess"}):
        response = client.post("/admin/reconcile", headers=headers)
        assert (response.status_code, code(response)) == (401, "AUTHENTICATION_REQUIRED")
    response = client.post("/admin/reconcile", headers={"X-Admin-Token": world.merchant.admin_token})
    assert response.status_code == 200 and response.json() == {"reconciled": []}


def test_openapi_docs_are_served(world):
    for client, path in (
        (world.merchant_client(), "/orders/{order_id}/pay"),
        (world.gateway_client(), "/v1/payments"),
    ):
        assert client.get("/docs").status_code == 200
        spec = client.get("/openapi.json").json()
        assert path in spec["paths"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    document=json_values,
    endpoint=st.sampled_from(["/orders", "/orders/{id}/pay", "/orders/{id}/refund", "/paycore/notify"]),
)
def test_random_json_never_causes_a_500(world, document, endpoint):
    client = world.merchant_client()
    path = endpoint.replace("{id}", "ord_0000000000000000")
    response = client.post(
        path, content=json.dumps(document).encode(), headers={**USER, "Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500 and "error" in response.json()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=json_values)
def test_random_but_validly_signed_bodies_never_cause_a_500_at_the_gateway(world, document):
    body = json.dumps(document).encode()
    reply = send(world, signed_request(world, body), body)
    assert 400 <= reply.status < 500 and "error" in json.loads(reply.body)


def test_no_card_number_or_cvv_in_responses_logs_or_databases(file_world, caplog):
    from paycore.payment import Card, Money

    # a card whose CVV (987) appears nowhere else, so finding "987" anywhere would be a leak
    file_world.gateway.open_card_account(Card(CARD["number"], "11/30", CARD["cvv"]), Money(100_000, "CNY"))
    client = file_world.merchant_client()
    caplog.set_level(logging.DEBUG)
    order_id = create(client)
    response = client.post(
        f"/orders/{order_id}/pay",
        json={"amount": {"value": 9980, "currency": "CNY"}, "method": {**CARD, "expiry": "11/30"}},
        headers=USER,
    )
    assert response.json()["status"] == "PAID" and response.json()["payer"] == "411111******1111"
    report = file_world.notifier.deliver_due()
    assert len(report.delivered) == 1 and report.retrying == report.dead == ()
    seen = response.text + "".join(record.getMessage() for record in caplog.records)
    for exchange in file_world.wire_log:
        seen += exchange.request_body.decode() + exchange.reply.body.decode()
    assert "4111111111111111" not in seen and '"cvv"' not in seen
    for db in (file_world.gateway.db, file_world.merchant.db):
        for suffix in ("", "-wal") if hasattr(db, "path") else ():  # SQLite's raw files and its log
            path = Path(db.path + suffix)
            if not path.exists():
                continue
            raw = path.read_bytes()
            assert b"4111111111111111" not in raw and b'"cvv"' not in raw
        for table in db.tables():
            for row in db.query(f"SELECT * FROM {table}"):
                for value in row:
                    text = value.decode(errors="ignore") if isinstance(value, bytes) else str(value)
                    assert text != "987" and '"cvv"' not in text and "4111111111111111" not in text, table


def test_the_gateway_url_in_use(world):
    assert world.merchant.client.gateway_url == GATEWAY_URL
