"""The OpenAPI documents and API pages of both apps: complete, resolvable, true, and offline."""

import re
from html.parser import HTMLParser

import pytest

from paycore.payment.errors import ErrorCode
from paycore.payment.openapi import REF_PREFIX, Refusals, finish
from paycore.payment.protocol import SIGNATURE_HEADERS

PARTIES = ("merchant", "gateway")


def client_of(world, party):
    return world.merchant_client() if party == "merchant" else world.gateway_client()


@pytest.fixture
def specs(world):
    return {party: client_of(world, party).get("/openapi.json").json() for party in PARTIES}


def resolve(spec: dict, ref: str) -> dict:
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


@pytest.mark.parametrize("party", PARTIES)
def test_every_reference_resolves_and_nothing_nests_its_own_definitions(specs, party):
    spec = specs[party]
    found = list(refs(spec))
    assert found
    for ref in found:
        assert resolve(spec, ref), ref
    assert "$defs" not in str(spec)


@pytest.mark.parametrize("party", PARTIES)
def test_every_error_response_is_the_real_error_body_with_codes_that_use_that_status(specs, party):
    for name, operation in operations(specs[party]):
        errors = {
            int(status): answer for status, answer in operation["responses"].items() if int(status) >= 400
        }
        assert {408, 413, 415, 500} <= set(errors), name  # the shared plumbing answers anywhere
        for status, answer in errors.items():
            schema = answer["content"]["application/json"]["schema"]
            assert schema["required"] == ["error"] and schema["additionalProperties"] is False, name
            error = schema["properties"]["error"]
            assert error["required"] == ["code", "message"], name
            codes = error["properties"]["code"]["enum"]
            assert codes, (name, status)
            for code in codes:
                assert status in ErrorCode(code).statuses, (name, status, code)
                assert f"`{code}`: {ErrorCode(code).meaning}" in answer["description"]
        assert "HTTPValidationError" not in str(operation), name


def test_routes_name_the_refusals_they_can_answer(specs):
    merchant, gateway = specs["merchant"], specs["gateway"]

    def codes(spec, path, method, status):
        answer = spec["paths"][path][method]["responses"][str(status)]
        return set(
            answer["content"]["application/json"]["schema"]["properties"]["error"]["properties"]["code"][
                "enum"
            ]
        )

    assert {"AMOUNT_MISMATCH", "INVALID_REQUEST"} <= codes(merchant, "/orders/{order_id}/pay", "post", 422)
    assert {"ORDER_NOT_PAYABLE", "ORDER_EXPIRED"} == codes(merchant, "/orders/{order_id}/pay", "post", 409)
    assert codes(merchant, "/admin/reconcile", "post", 401) == {"AUTHENTICATION_REQUIRED"}
    assert {"REPLAYED_NONCE", "INVALID_SIGNATURE", "MALFORMED_HEADERS"} <= codes(
        gateway, "/v1/payments", "post", 401
    )
    assert {"IDEMPOTENCY_KEY_REQUIRED", "INVALID_REQUEST", "PAYER_UNREADABLE"} <= codes(
        gateway, "/v1/payments", "post", 400
    )
    assert codes(gateway, "/v1/refunds", "post", 409) == {"REFUND_NOT_ALLOWED", "REQUEST_IN_PROGRESS"}


def test_the_gateway_documents_its_signature_headers_and_security_scheme(specs):
    gateway = specs["gateway"]
    payment = gateway["paths"]["/v1/payments"]["post"]
    headers = {p["name"]: p for p in payment["parameters"] if p["in"] == "header"}
    assert set(headers) == {*SIGNATURE_HEADERS, "Idempotency-Key"}
    assert all(headers[name]["required"] for name in headers)
    assert re.fullmatch(headers["Paycore-Nonce"]["schema"]["pattern"], "0123456789abcdef0123456789abcdef")
    assert payment["security"] == [{"merchantSignature": []}]
    scheme = gateway["components"]["securitySchemes"]["merchantSignature"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Paycore-Signature")
    assert set(payment["responses"]["200"]["headers"]) == set(SIGNATURE_HEADERS)
    body = payment["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["payer"]["$ref"] == REF_PREFIX + "EnvelopeModel"
    query = gateway["paths"]["/v1/payments/{out_trade_no}"]["get"]
    assert {p["name"] for p in query["parameters"] if p["in"] == "header"} == set(SIGNATURE_HEADERS)


def test_the_merchant_documents_the_notification_it_accepts(specs):
    notify = specs["merchant"]["paths"]["/paycore/notify"]["post"]
    schema = notify["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"event_id", "type", "created_at", "data"}
    data = {ref for ref in refs(schema["properties"]["data"])}
    assert data == {REF_PREFIX + "PaymentResource", REF_PREFIX + "RefundResource"}
    assert notify["security"] == [{"gatewaySignature": []}]
    assert {p["name"] for p in notify["parameters"]} == set(SIGNATURE_HEADERS)


def test_documented_answers_match_what_the_merchant_sends(world, specs):
    """The order the API answers validates against the documented schema (no extra or missing field)."""
    from paycore.payment.merchant.models import OrderOut

    client = world.merchant_client()
    order = client.post(
        "/orders",
        headers={"X-User-Id": "alice"},
        json={
            "items": [{"sku": "TEA-1", "name": "Tea", "quantity": 1, "unit_price": 100}],
            "currency": "CNY",
        },
    )
    assert order.status_code == 201
    OrderOut.model_validate_json(order.content)
    documented = specs["merchant"]["components"]["schemas"]["OrderOut"]
    assert set(documented["required"]) == set(order.json())


@pytest.mark.parametrize("party", PARTIES)
def test_a_wrong_method_is_405_with_allow(world, party):
    path = "/orders" if party == "merchant" else "/v1/payments"
    response = client_of(world, party).request("PUT", path)
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


@pytest.mark.parametrize("party", PARTIES)
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_pages_load_everything_from_the_app_itself(world, party, page):
    client = client_of(world, party)
    response = client.get(page)
    assert response.status_code == 200
    parser = _Assets()
    parser.feed(response.text)
    assert parser.urls, "the page should load its scripts"
    for url in parser.urls:
        assert url.startswith("/"), f"{page} loads {url} from another host"
        assert client.get(url).status_code == 200, url
    assert "fonts.googleapis" not in response.text and "cdn." not in response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "img-src 'self' data:;" in policy  # nor from a CDN in a script


def test_refusals_refuse_a_status_a_code_never_has():
    with pytest.raises(ValueError, match="never answered with 500"):
        Refusals().responses((ErrorCode.ORDER_NOT_FOUND, 500))


def test_finish_hoists_nested_definitions_and_drops_unused_ones():
    spec = {
        "paths": {
            "/x": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {
                        "$defs": {"Inner": {"type": "object"}},
                        "properties": {"inner": {"$ref": "#/$defs/Inner"}},
                    }}}},
                    "responses": {},
                }
            }
        },
        "components": {"schemas": {"Unused": {"type": "string"}}},
    }  # fmt: skip
    done = finish(spec)
    assert done["components"]["schemas"] == {"Inner": {"type": "object"}}
    assert "#/components/schemas/Inner" in str(done["paths"])
