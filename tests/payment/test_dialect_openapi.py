"""The gateway's OpenAPI document tells the truth about WeChat Pay, Alipay and the cashier.

The dialects' real answers -- successes and refusals, from a whole payment and refund in each
dialect -- are checked against the schemas, statuses and headers the document gives their routes,
in each platform's own error format; and the document's codes are the ones the dialects can raise.
"""

from __future__ import annotations

import base64
import json
from contextlib import contextmanager

import jsonschema
import pytest

from paycore.payment.gateway.dialects import alipay, cashier, wechatpay, wechatpay_models, wechatpay_wire
from paycore.payment.runtime.world import GATEWAY_URL
from tests.payment import test_dialects as dialects
from tests.payment.test_dialects import MCHID, SHOP, cashier_token, native_order, wechat

world = dialects.world  # the fixture: a gateway with a WeChat Pay merchant and an Alipay application
alipay_call = dialects.alipay

WALLET = {"method": {"type": "wallet", "account": "W-alice"}}
ORDER = {
    "appid": dialects.APPID,
    "mchid": MCHID,
    "description": "Tea",
    "notify_url": f"{SHOP}/wechatpay",
    "amount": {"total": 300},
}


@pytest.fixture
def spec(world):
    return world.gateway_client().get("/openapi.json").json()


def inline(spec: dict, node):
    """``node`` with every ``$ref`` replaced by what it points to (the document has no cycles)."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            target = spec
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            return inline(spec, target)
        return {key: inline(spec, value) for key, value in node.items()}
    if isinstance(node, list):
        return [inline(spec, item) for item in node]
    return node


def documented(spec: dict, method: str, path: str, status: int, content_type: str, headers, body: bytes):
    """Check one answer against the document: its status, media type, body schema and required headers."""
    operation = spec["paths"][path][method.lower()]
    answer = operation["responses"].get(str(status))
    assert answer is not None, f"{method} {path} answered {status}, which it does not document"
    for name, header in answer.get("headers", {}).items():
        if header["required"]:
            assert name.lower() in {key.lower() for key in headers}, (path, status, name)
            value = next(v for k, v in headers.items() if k.lower() == name.lower())
            jsonschema.validate(value, inline(spec, header["schema"]))
    if not body:
        return None
    media_type = content_type.split(";")[0].strip()
    assert media_type in answer.get("content", {}), (path, status, media_type)
    schema = inline(spec, answer["content"][media_type]["schema"])
    document = json.loads(body) if media_type == "application/json" else body.decode()
    jsonschema.validate(document, schema)
    return document


def check(spec, method, path, reply):
    """A ``world.network`` Reply against the document."""
    return documented(
        spec,
        method,
        path,
        reply.status,
        reply.headers.get("Content-Type", ""),
        dict(reply.headers),
        reply.body,
    )


def check_http(spec, method, path, response):
    """An ``httpx`` response against the document."""
    return documented(
        spec,
        method,
        path,
        response.status_code,
        response.headers.get("content-type", ""),
        response.headers,
        response.content,
    )


def test_a_wechatpay_payment_and_refund_answer_as_documented(world, spec):
    transactions = "/v3/pay/transactions/out-trade-no/{out_trade_no}"
    answer = check(spec, "POST", "/v3/pay/transactions/native", native_order(world, "T-DOC001"))
    token = cashier_token(answer["code_url"])
    query = f"/v3/pay/transactions/out-trade-no/T-DOC001?mchid={MCHID}"
    assert (
        check(spec, "GET", transactions, wechat(world, "GET", query, nonce="q1".ljust(32, "q")))[
            "trade_state"
        ]
        == "NOTPAY"
    )
    client = world.gateway_client()
    check_http(spec, "GET", "/cashier/{token}", client.get(f"/cashier/{token}"))
    paid = check_http(spec, "POST", "/cashier/{token}", client.post(f"/cashier/{token}", json=WALLET))
    assert paid["status"] == "SUCCESS"
    again = check_http(spec, "POST", "/cashier/{token}", client.post(f"/cashier/{token}", json=WALLET))
    assert again["error"]["code"] == "TRADE_PAID"
    transaction = check(spec, "GET", transactions, wechat(world, "GET", query, nonce="q2".ljust(32, "q")))
    refund = {
        "out_trade_no": "T-DOC001",
        "out_refund_no": "R-DOC001",
        "amount": {"refund": 100, "total": 300},
    }
    refunded = wechat(world, "POST", "/v3/refund/domestic/refunds", refund, nonce="r1".ljust(32, "r"))
    assert check(spec, "POST", "/v3/refund/domestic/refunds", refunded)["status"] == "SUCCESS"
    read = wechat(world, "GET", "/v3/refund/domestic/refunds/R-DOC001", nonce="r2".ljust(32, "r"))
    check(spec, "GET", "/v3/refund/domestic/refunds/{out_refund_no}", read)
    by_id = wechat(world, "GET", f"/v3/pay/transactions/id/{transaction['transaction_id']}?mchid={MCHID}")
    assert check(spec, "GET", "/v3/pay/transactions/id/{transaction_id}", by_id)["trade_state"] == "REFUND"
    check(spec, "GET", "/v3/certificates", wechat(world, "GET", "/v3/certificates", nonce="c".ljust(32, "c")))


def test_wechatpay_refusals_answer_as_documented_in_wechatpays_format(world, spec):
    close = "/v3/pay/transactions/out-trade-no/{out_trade_no}/close"
    native_order(world, "T-DOC002")
    closed = wechat(world, "POST", "/v3/pay/transactions/out-trade-no/T-DOC002/close", {"mchid": MCHID})
    assert closed.status == 204 and check(spec, "POST", close, closed) is None

    def order(number: str, nonce: str, **changes):
        document = {**ORDER, "out_trade_no": number, **changes}
        return wechat(world, "POST", "/v3/pay/transactions/native", document, nonce=nonce.ljust(32, "n"))

    refusals = {
        "ORDER_CLOSED": ("POST", "/v3/pay/transactions/native", order("T-DOC002", "again")),
        "PARAM_ERROR": ("POST", "/v3/pay/transactions/native", order("T-DOC003", "p", mchid="1")),
        "APPID_MCHID_NOT_MATCH": ("POST", "/v3/pay/transactions/native", order("T-DOC004", "a", appid="wx0")),
        "OUT_TRADE_NO_USED": (
            "POST",
            "/v3/pay/transactions/native",
            order("T-DOC002", "used", amount={"total": 999}),
        ),
        "ORDER_NOT_EXIST": (
            "POST",
            close,
            wechat(
                world,
                "POST",
                "/v3/pay/transactions/out-trade-no/T-NOSUCH/close",
                {"mchid": MCHID},
                nonce="nosuch".ljust(32, "n"),
            ),
        ),
        "SIGN_ERROR": (
            "GET",
            "/v3/certificates",
            world.network.request("GET", f"{GATEWAY_URL}/v3/certificates", {}),
        ),
    }
    for code, (method, path, reply) in refusals.items():
        assert check(spec, method, path, reply) == {
            "code": code,
            "message": json.loads(reply.body)["message"],
        }
    unsigned = refusals["SIGN_ERROR"][2]
    assert "Wechatpay-Signature" not in unsigned.headers and "Wechatpay-Signature" in closed.headers


def test_alipay_answers_everything_with_200_as_documented(world, spec):
    biz = {"out_trade_no": "A_DOC1", "total_amount": "3.00", "subject": "Tea"}
    answers = [alipay_call(world, "alipay.trade.precreate", biz, notify_url=f"{SHOP}/alipay")]
    token = cashier_token(answers[0]["alipay_trade_precreate_response"]["qr_code"])
    answers.append(alipay_call(world, "alipay.trade.query", {"out_trade_no": "A_DOC1"}))  # not scanned
    world.gateway_client().post(f"/cashier/{token}", json=WALLET)
    answers.append(alipay_call(world, "alipay.trade.query", {"out_trade_no": "A_DOC1"}))
    answers.append(
        alipay_call(world, "alipay.trade.refund", {"out_trade_no": "A_DOC1", "refund_amount": "1.00"})
    )
    answers.append(alipay_call(world, "alipay.trade.close", {"out_trade_no": "A_DOC1"}))  # paid: refused
    answers.append(alipay_call(world, "alipay.trade.wap.pay", {}))  # unknown: unauthenticated
    code = world.gateway_client().post("/cashier/payment-code", json=WALLET).json()["auth_code"]
    barcode = {**biz, "out_trade_no": "A_DOC2", "scene": "bar_code", "auth_code": code}
    answers.append(alipay_call(world, "alipay.trade.pay", barcode))
    schema = inline(
        spec, spec["paths"]["/gateway.do"]["get"]["responses"]["200"]["content"]["application/json"]
    )
    for answer in answers:
        jsonschema.validate(answer, schema["schema"])
    codes = [next(iter(answer.values())).get("sub_code", "10000") for answer in answers]
    assert codes == [
        "10000",
        "ACQ.TRADE_NOT_EXIST",
        "10000",
        "10000",
        "ACQ.TRADE_STATUS_ERROR",
        "isv.invalid-method",
        "10000",
    ]


def test_the_cashier_answers_as_documented(world, spec):
    client = world.gateway_client()
    token = cashier_token(json.loads(native_order(world, "T-DOC005").body)["code_url"])
    declined = {"method": {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "999"}}
    answers = [
        ("GET", "/cashier/{token}", client.get("/cashier/" + "x" * 40)),  # an HTML page, 404
        ("POST", "/cashier/{token}", client.post(f"/cashier/{token}", json=declined)),  # 402
        ("POST", "/cashier/{token}", client.post("/cashier/" + "x" * 40, json=WALLET)),  # 404
        ("POST", "/cashier/{token}", client.post(f"/cashier/{token}", json={"wallet": "W-alice"})),  # 422
        ("POST", "/cashier/payment-code", client.post("/cashier/payment-code", json=WALLET)),  # 200
        ("POST", "/cashier/payment-code", client.post("/cashier/payment-code", json={"method": {
            "type": "wallet", "account": "W-nobody"}})),  # 404
    ]  # fmt: skip
    statuses = [response.status_code for _, _, response in answers]
    assert statuses == [404, 402, 404, 422, 200, 404]
    for method, path, response in answers:
        check_http(spec, method, path, response)
    assert answers[0][2].headers["content-type"].startswith("text/html")


def test_every_405_names_every_method_of_its_path(world):
    client = world.gateway_client()
    for method in ("PUT", "OPTIONS", "DELETE"):
        response = client.request(method, "/cashier/" + "x" * 40)
        assert response.status_code == 405 and response.headers["allow"] == "GET, POST"
    for method in ("GET", "PUT"):  # that path is the payment-code route's, not an order's page
        response = client.request(method, "/cashier/payment-code")
        assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert client.post("/gateway.do").headers["allow"] == "GET"


def test_every_dialect_route_documents_its_platforms_refusals_and_signature(world, spec):
    scheme = spec["components"]["securitySchemes"]["wechatpaySignature"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    wechat_routes = [(path, ops) for path, ops in spec["paths"].items() if path.startswith("/v3/")]
    assert len(wechat_routes) == 10
    for path, operations in wechat_routes:
        for operation in operations.values():
            assert operation["security"] == [{"wechatpaySignature": []}], path
            unsigned = operation["responses"]["401"]
            assert "headers" not in unsigned
            assert unsigned["content"]["application/json"]["schema"]["properties"]["code"]["enum"] == [
                "SIGN_ERROR"
            ]
            assert operation["responses"]["503"]["headers"]["Wechatpay-Signature"]["required"]
            for status, answer in operation["responses"].items():
                if int(status) < 300:
                    assert answer["headers"]["Wechatpay-Signature"]["required"], (path, status)
    alipay_route = spec["paths"]["/gateway.do"]["get"]
    assert sorted(alipay_route["responses"]) == ["200", "303", "408", "413", "415", "500"]
    assert "security" not in alipay_route  # refused inside a 200, not as an HTTP credential
    required = {p["name"] for p in alipay_route["parameters"] if p["required"]}
    assert required == set(alipay.REQUIRED)
    (method,) = [p for p in alipay_route["parameters"] if p["name"] == "method"]
    assert set(method["schema"]["enum"]) == set(world.dialects.alipay.methods.table)
    page = spec["paths"]["/cashier/{token}"]
    assert set(page["get"]["responses"]["200"]["content"]) == {"text/html"}
    body = page["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["method"] and body["additionalProperties"] is False


def test_the_documented_codes_are_every_code_the_dialects_raise():
    assert set(wechatpay.REFUSALS.values()) <= set(wechatpay_models.CODES)
    assert {sub_code for sub_code, _ in alipay.REFUSALS.values()} <= set(alipay.SUB_CODES)
    with pytest.raises(KeyError):
        wechatpay_models.WeChatPayError("NO_SUCH_CODE", "x")
    with pytest.raises(ValueError, match="not an Alipay sub_code under 40002"):
        alipay.invalid("ACQ.TRADE_NOT_EXIST", "x")  # a business code as an unauthenticated refusal
    assert set(cashier.CODES) >= {"PAYMENT_DECLINED", "TRADE_NOT_FOUND", "TRADE_PAID", "TRADE_CLOSED"}


class _FullDisk:
    """A pooled PostgreSQL connection whose every write fails as on a full disk (SQLSTATE 53100)."""

    def __init__(self, connection) -> None:
        self._connection = connection

    def execute(self, statement, *args, **kwargs):
        import psycopg

        if str(statement).lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise psycopg.errors.DiskFull("could not extend file: No space left on device")
        return self._connection.execute(statement, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._connection, name)


@contextmanager
def writes_failing(db):
    """Every write to the gateway's database fails while inside: SQLite read-only, PostgreSQL's disk full."""
    if hasattr(db, "path"):
        db.query("PRAGMA query_only = ON")
        try:
            yield
        finally:
            db.query("PRAGMA query_only = OFF")
        return
    pool, real = db._pool, db._pool.connection

    @contextmanager
    def full_disk(*args, **kwargs):
        with real(*args, **kwargs) as connection:
            yield _FullDisk(connection)

    pool.connection = full_disk
    try:
        yield
    finally:
        del pool.connection


def test_a_wechatpay_request_the_database_cannot_record_is_a_signed_503_in_wechatpays_format(world, spec):
    with writes_failing(world.gateway.db):
        reply = wechat(world, "GET", "/v3/certificates")
    assert check(spec, "GET", "/v3/certificates", reply)["code"] == "SYSTEM_ERROR" and reply.status == 503
    headers = reply.headers
    message = wechatpay_wire.answer_message(
        int(headers["Wechatpay-Timestamp"]), headers["Wechatpay-Nonce"], reply.body
    )
    platform = world.dialects.wechatpay_platform.private_key.public_key()
    assert wechatpay_wire.verify(platform, message, base64.b64decode(headers["Wechatpay-Signature"]))
