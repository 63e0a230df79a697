"""The dialects in process, on pinned keys and a clock the test moves: the rules the SDK tests cannot reach.

Requests are signed here by hand (the SDK tests prove the formats interoperate); these tests move
the clock past the window, decline payers, make merchants answer badly, and open old databases.
"""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlencode

import pytest

from paycore.payment.gateway.dialects import DialectKeys, Dialects, alipay_wire, wechatpay_wire
from paycore.payment.gateway.dialects.keys import BEIJING, merchant_serial
from paycore.payment.gateway.outbox import LEASE_SECONDS, OutboxMessage
from paycore.payment.gateway.sqlite import SQLiteGatewayStore
from paycore.payment.runtime.world import GATEWAY_URL, build_world
from tests.conftest import load_pinned_key
from tests.payment.conftest import START

SHOP = "http://shop.example"
MCHID, APPID, APIV3_KEY, ALIPAY_APP = (
    "1900000109",
    "wxd678efh567hg6787",
    "A" * 16 + "b" * 16,
    "2021000000000001",
)
WECHAT_KEY, ALIPAY_KEY = load_pinned_key(2048, "g"), load_pinned_key(2048, "h")


class Shop:
    """A merchant's notify endpoint in process (raw ASGI): records what arrives, answers ``answer``."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict, bytes]] = []
        self.answer = (204, b"")

    async def __call__(self, scope, receive, send) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        self.calls.append(({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        status, payload = self.answer
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-length", b"%d" % len(payload))],
            }
        )
        await send({"type": "http.response.body", "body": payload})


@pytest.fixture
def world(clock, merchant_key, gateway_key, gateway_encryption_key, stores):
    """Both dialects at the gateway, on SQLite in memory or in PostgreSQL schemas of this test's own."""
    keys = DialectKeys(wechatpay=load_pinned_key(2048, "e"), alipay=load_pinned_key(2048, "f"))
    built = build_world(
        clock=clock,
        merchant_key=merchant_key,
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
        dialect_keys=keys,
        alipay_timezone=BEIJING,
        stores=stores.open(),
    )
    built.dialects.register_wechatpay_merchant(
        mchid=MCHID,
        appid=APPID,
        name="Tea shop",
        public_key=WECHAT_KEY.public_key(),
        apiv3_key=APIV3_KEY,
        notify_origins=[f"{SHOP}:80"],
    )
    built.dialects.register_alipay_merchant(
        app_id=ALIPAY_APP, name="Tea shop", public_key=ALIPAY_KEY.public_key(), notify_origins=[f"{SHOP}:80"]
    )
    built.shop = Shop()
    built.network.add(SHOP, built.shop)
    yield built
    built.close()


def wechat(
    world, method: str, target: str, document: dict | None = None, *, at: int | None = None, nonce="N" * 32
):
    """A WeChat Pay request signed with the merchant's key (at the clock's time unless ``at``)."""
    body = b"" if document is None else json.dumps(document).encode()
    stamp = int(world.clock.now()) if at is None else at
    signature = wechatpay_wire.sign(
        WECHAT_KEY, wechatpay_wire.request_message(method, target, stamp, nonce, body)
    )
    authorization = (
        f'WECHATPAY2-SHA256-RSA2048 mchid="{MCHID}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{stamp}",serial_no="{merchant_serial(WECHAT_KEY.public_key())}"'
    )
    headers = {"Authorization": authorization, "Content-Type": "application/json"}
    return world.network.request(method, GATEWAY_URL + target, headers, body)


def native_order(world, out_trade_no: str, total: int = 300, **overrides):
    order = {
        "appid": APPID,
        "mchid": MCHID,
        "description": "Tea",
        "out_trade_no": out_trade_no,
        "notify_url": f"{SHOP}/wechatpay",
        "amount": {"total": total},
        **overrides,
    }
    return wechat(
        world, "POST", "/v3/pay/transactions/native", order, nonce=f"order{out_trade_no}".ljust(32, "x")
    )


def alipay(world, method: str, biz: dict, **extra: str):
    """An Alipay request signed with the application's key, as the SDK builds it."""
    params = {
        "app_id": ALIPAY_APP,
        "method": method,
        "charset": "utf-8",
        "sign_type": "RSA2",
        "version": "1.0",
        "timestamp": alipay_wire.format_time(world.clock.now(), BEIJING),
        "biz_content": json.dumps(biz, separators=(",", ":")),
        **extra,
    }
    params["sign"] = alipay_wire.sign(ALIPAY_KEY, alipay_wire.signing_string(params))
    reply = world.network.request("GET", f"{GATEWAY_URL}/gateway.do?{urlencode(params)}", {})
    return json.loads(reply.body)


def cashier_token(code_url: str) -> str:
    return code_url.rsplit("/", 1)[1]


def test_a_request_outside_the_window_is_refused_either_side(world):
    for skew in (301, -301):
        reply = wechat(
            world, "GET", f"/v3/pay/transactions/out-trade-no/T-000001?mchid={MCHID}", at=START - skew
        )
        assert reply.status == 401 and json.loads(reply.body)["code"] == "SIGN_ERROR"
    reply = wechat(world, "GET", f"/v3/pay/transactions/out-trade-no/T-000001?mchid={MCHID}", at=START - 300)
    assert reply.status == 404  # at the edge: checked, and there is no such order


def test_a_declined_payer_changes_nothing_and_a_trade_is_paid_once(world):
    code_url = json.loads(native_order(world, "T-DECLINE1").body)["code_url"]
    url = code_url.replace(GATEWAY_URL, "")
    client = world.gateway_client()
    books = world.gateway.check_ledger()
    wrong_cvv = {"method": {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "999"}}
    declined = client.post(url, json=wrong_cvv)
    assert declined.status_code == 402 and declined.json()["failure_code"] == "CVV_MISMATCH"
    assert declined.json()["status"] == "NOTPAY" and world.notifier.pending() == []
    before = world.gateway.balance("payer:W-alice:CNY")
    assert client.post(url, json={"method": {"type": "wallet", "account": "W-alice"}}).status_code == 200
    twice = client.post(url, json={"method": {"type": "wallet", "account": "W-alice"}})
    assert twice.status_code == 409 and twice.json()["status"] == "SUCCESS"
    assert world.gateway.balance("payer:W-alice:CNY") == before - 300
    assert world.gateway.check_ledger() == books


def test_the_cashier_takes_only_a_method(world):
    url = json.loads(native_order(world, "T-STRICT1").body)["code_url"].replace(GATEWAY_URL, "")
    client = world.gateway_client()
    wallet = {"type": "wallet", "account": "W-alice"}
    for body in ({"method": wallet, "amount": {"value": 1, "currency": "CNY"}}, {"wallet": "W-alice"}, []):
        assert client.post(url, json=body).status_code == 422
    assert (
        client.post(
            url, content=b'{"method": 1, "method": 2}', headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert client.post("/cashier/no-such-token", json={"method": wallet}).status_code == 404


def test_wechat_notifications_hold_no_plaintext_and_retry_on_wechats_schedule(world):
    token = cashier_token(json.loads(native_order(world, "T-NOTIFY1").body)["code_url"])
    world.shop.answer = (500, b'{"code":"FAIL","message":"busy"}')
    world.gateway_client().post(
        f"/cashier/{token}", json={"method": {"type": "wallet", "account": "W-alice"}}
    )
    (row,) = world.gateway.db.query("SELECT body, format FROM outbox")
    assert (
        row["format"] == "wechatpay"
        and b"T-NOTIFY1" not in bytes(row["body"])
        and b"W-al" not in bytes(row["body"])
    )
    assert world.notifier.deliver_due().retrying and len(world.shop.calls) == 1
    world.clock.advance(14)
    assert not world.notifier.deliver_due().retrying  # not due before 15 s
    world.clock.advance(1)
    world.shop.answer = (204, b"")
    assert len(world.notifier.deliver_due().delivered) == 1
    headers, body = world.shop.calls[-1]
    message = wechatpay_wire.answer_message(
        int(headers["wechatpay-timestamp"]), headers["wechatpay-nonce"], body
    )
    platform = world.dialects.wechatpay_platform
    assert headers["wechatpay-serial"] == platform.public_key_id
    import base64

    assert wechatpay_wire.verify(
        platform.private_key.public_key(), message, base64.b64decode(headers["wechatpay-signature"])
    )
    resource = json.loads(wechatpay_wire.decrypt_resource(APIV3_KEY, json.loads(body)["resource"]))
    assert (resource["out_trade_no"], resource["trade_state"]) == ("T-NOTIFY1", "SUCCESS")


def test_alipay_notifications_count_only_success_and_retry_on_alipays_schedule(world):
    created = alipay(
        world,
        "alipay.trade.precreate",
        {"out_trade_no": "A1", "total_amount": "1.00", "subject": "Tea"},
        notify_url=f"{SHOP}/alipay",
    )
    token = cashier_token(created["alipay_trade_precreate_response"]["qr_code"])
    world.shop.answer = (200, b"ok")  # not the word Alipay waits for
    world.gateway_client().post(
        f"/cashier/{token}", json={"method": {"type": "wallet", "account": "W-alice"}}
    )
    assert world.notifier.deliver_due().retrying
    world.clock.advance(239)
    assert not world.notifier.deliver_due().retrying
    world.clock.advance(1)
    world.shop.answer = (200, b"success")
    assert world.notifier.deliver_due().delivered
    headers, body = world.shop.calls[-1]
    assert headers["content-type"].startswith("application/x-www-form-urlencoded")
    from urllib.parse import parse_qsl

    fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    text = alipay_wire.signing_string(fields, leave_out=("sign", "sign_type"))
    assert "body=&" in text  # the empty field is signed too
    assert alipay_wire.verify(world.dialects.alipay_key.public_key(), text, fields["sign"])
    assert fields["notify_time"] == alipay_wire.format_time(world.clock.now(), BEIJING)  # this attempt's time


def test_alipay_refuses_what_does_not_authenticate_unsigned(world):
    reply = world.network.request(
        "GET", f"{GATEWAY_URL}/gateway.do?app_id={ALIPAY_APP}&method=alipay.trade.query", {}
    )
    document = json.loads(reply.body)
    assert reply.status == 200 and "sign" not in document
    assert document["error_response"]["sub_code"] == "isv.missing-sign"
    twice = world.network.request("GET", f"{GATEWAY_URL}/gateway.do?app_id=1&app_id=2", {})
    assert json.loads(twice.body)["error_response"]["sub_code"] == "isv.invalid-parameter"
    unknown = alipay(world, "alipay.trade.wap.pay", {})
    assert unknown["error_response"]["sub_code"] == "isv.invalid-method"
    world.clock.advance(3600)  # the request is signed, but an hour old
    params = {"out_trade_no": "A2"}
    stale = alipay(world, "alipay.trade.query", params, timestamp=alipay_wire.format_time(START, BEIJING))
    assert stale["error_response"]["sub_code"] == "isv.invalid-timestamp"


def test_the_platform_keys_must_be_their_own(world):
    reused = DialectKeys(wechatpay=world.gateway.signer.private_key, alipay=load_pinned_key(2048, "f"))
    with pytest.raises(ValueError, match="its own key pair"):
        Dialects(world.gateway, reused, GATEWAY_URL)


def test_the_cashier_page_escapes_what_the_merchant_wrote(world):
    answer = native_order(world, "T-HTML01", description='<script>alert("x")</script>')
    page = world.gateway_client().get(json.loads(answer.body)["code_url"].replace(GATEWAY_URL, ""))
    assert page.status_code == 200 and "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert page.headers["x-frame-options"] == "DENY"


def test_an_older_database_gets_the_outbox_format_and_the_new_tables(tmp_path):
    path = tmp_path / "gateway.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE outbox (event_id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, url TEXT NOT NULL, "
            "body BLOB NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL, "
            "state TEXT NOT NULL, last_result TEXT, created_at REAL NOT NULL, delivered_at REAL)"
        )
        connection.execute(
            "INSERT INTO outbox (event_id, merchant_id, url, body, next_attempt_at, state, created_at) "
            "VALUES ('evt_old', 'M100001', 'http://127.0.0.1:8001/paycore/notify', x'7b7d', 0, 'pending', 0)"
        )
    store = SQLiteGatewayStore(path)
    try:
        (message,) = store.due_messages(now=1, limit=10)
        assert message == OutboxMessage(
            "evt_old",
            "http://127.0.0.1:8001/paycore/notify",
            b"{}",
            0,
            "paycore/1",
            "M100001",
            1 + LEASE_SECONDS,
        )
        assert (
            store.trade_by_token("anything") is None and store.dialect_merchant("alipay", ALIPAY_APP) is None
        )
    finally:
        store.close()
