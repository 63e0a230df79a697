"""WeChat Pay's own Python SDK (``wechatpayv3`` from PyPI, unmodified) against ``paycore serve``.

The SDK orders, queries, closes and refunds; the payer pays at the gateway's cashier; the merchant's
notify URL -- a real HTTP server here -- verifies and decrypts each notification with the SDK's own
``callback``. The gateway's ledger is then judged from its database file.
"""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from wechatpayv3.utils import build_authorization, load_private_key

from tests.conftest import load_pinned_key
from tests.payment.sdk_helpers import (
    MerchantEndpoint,
    TamperingProxy,
    gateway_books,
    pem,
    served,  # noqa: F401 (a fixture)
    wechatpay_client,
    wechatpay_verifier,
)

WALLET = {"method": {"type": "wallet", "account": "W-alice"}}
MERCHANT_ACCOUNT = "merchant:wechatpay:1900000109:CNY"


@pytest.fixture(scope="module")
def merchant(served):  # noqa: F811
    """The demo merchant: the SDK, and its notify endpoint verifying with that SDK."""
    _, data = served
    holder: dict = {}
    endpoint = MerchantEndpoint(
        lambda headers, body: wechatpay_verifier(holder["sdk"])(headers, body), (204, b"")
    )
    holder["sdk"] = wechatpay_client(data, endpoint.url + "/wechatpay/notify")
    yield holder["sdk"], endpoint
    endpoint.close()


def order(sdk, out_trade_no: str, total: int = 4990, **extra) -> tuple[int, dict]:
    code, answer = sdk.pay(
        description="Green tea", out_trade_no=out_trade_no, amount={"total": total}, **extra
    )
    return code, json.loads(answer)


def test_order_pay_at_the_cashier_verified_notification_query_and_refund(served, merchant):  # noqa: F811
    running, data = served
    sdk, endpoint = merchant
    code, answer = order(sdk, "WX-FLOW-0001")
    assert code == 200 and answer["code_url"].startswith(running.gateway_url + "/cashier/")
    code, found = sdk.query(out_trade_no="WX-FLOW-0001")
    assert code == 200 and json.loads(found)["trade_state"] == "NOTPAY"

    page = httpx.get(answer["code_url"])
    assert page.status_code == 200 and "CNY 49.90" in page.text and "WX-FLOW-0001" in page.text
    paid = httpx.post(answer["code_url"], json=WALLET)
    assert paid.status_code == 200 and paid.json()["status"] == "SUCCESS"

    (notification,) = endpoint.wait_for(1)
    assert notification["event_type"] == "TRANSACTION.SUCCESS"
    resource = notification["resource"]  # decrypted by the SDK with the APIv3 key
    assert resource["out_trade_no"] == "WX-FLOW-0001" and resource["trade_state"] == "SUCCESS"
    assert resource["amount"]["total"] == 4990 and resource["mchid"] == "1900000109"
    code, found = sdk.query(out_trade_no="WX-FLOW-0001")
    assert code == 200 and json.loads(found)["trade_state"] == "SUCCESS"
    code, by_id = sdk.query(transaction_id=resource["transaction_id"])
    assert code == 200 and json.loads(by_id)["out_trade_no"] == "WX-FLOW-0001"

    refund = {"refund": 990, "total": 4990, "currency": "CNY"}
    code, refunded = sdk.refund(out_refund_no="WX-REFUND-0001", amount=refund, out_trade_no="WX-FLOW-0001")
    assert code == 200 and json.loads(refunded)["status"] == "SUCCESS"
    again = sdk.refund(out_refund_no="WX-REFUND-0001", amount=refund, out_trade_no="WX-FLOW-0001")
    assert json.loads(again[1])["refund_id"] == json.loads(refunded)["refund_id"]  # the same refund, once
    notice = endpoint.wait_for(2)[1]
    assert notice["event_type"] == "REFUND.SUCCESS" and notice["resource"]["amount"]["refund"] == 990
    code, found = sdk.query(out_trade_no="WX-FLOW-0001")
    assert json.loads(found)["trade_state"] == "REFUND"
    code, queried = sdk.query_refund(out_refund_no="WX-REFUND-0001")
    assert code == 200 and json.loads(queried)["amount"]["refund"] == 990

    totals, store = gateway_books(data)
    try:
        assert totals == {"CNY": 0, "USD": 0}
        assert store.balance(MERCHANT_ACCOUNT) == 4990 - 990
    finally:
        store.close()


def test_close_an_unpaid_order_and_it_can_no_longer_be_paid(merchant):
    sdk, _ = merchant
    _, answer = order(sdk, "WX-CLOSE-0001")
    assert sdk.close(out_trade_no="WX-CLOSE-0001") == (204, "")
    assert json.loads(sdk.query(out_trade_no="WX-CLOSE-0001")[1])["trade_state"] == "CLOSED"
    late = httpx.post(answer["code_url"], json=WALLET)
    assert late.status_code == 409 and late.json()["status"] == "CLOSED"
    assert order(sdk, "WX-CLOSE-0001") == (400, {"code": "ORDER_CLOSED", "message": "this order is closed"})


def test_orders_are_idempotent_by_out_trade_no(merchant):
    sdk, _ = merchant
    first = order(sdk, "WX-SAME-0001")
    assert order(sdk, "WX-SAME-0001") == first  # the same order: the same cashier URL
    code, refused = order(sdk, "WX-SAME-0001", total=1)
    assert code == 403 and refused["code"] == "OUT_TRADE_NO_USED"


def test_refusals_in_wechat_pays_format_never_a_500(merchant):
    sdk, _ = merchant
    code, refused = order(sdk, "WX-BAD-0001", notify_url="http://attacker.example/steal")
    assert code == 400 and refused["code"] == "PARAM_ERROR" and "notify" in refused["message"]
    code, refused = order(sdk, "x")  # out_trade_no too short
    assert code == 400 and refused["code"] == "PARAM_ERROR"
    code, refused = sdk.query(out_trade_no="WX-NEVER-0001")
    assert code == 404 and json.loads(refused)["code"] == "ORDER_NOT_EXIST"
    order(sdk, "WX-BAD-0002")
    code, refused = sdk.refund(
        out_refund_no="WX-R-BAD", amount={"refund": 1, "total": 4990}, out_trade_no="WX-BAD-0002"
    )
    assert code == 400 and json.loads(refused)["code"] == "INVALID_REQUEST"  # not paid


def test_a_wrong_merchant_key_is_refused_with_sign_error(served, merchant):  # noqa: F811
    _, data = served
    impostor = wechatpay_client(
        data, "http://127.0.0.1:9/notify", private_key_pem=pem(load_pinned_key(2048, "c"))
    )
    code, answer = impostor.pay(description="Tea", out_trade_no="WX-IMPOSTOR-1", amount={"total": 1})
    assert code == 401 and json.loads(answer)["code"] == "SIGN_ERROR"
    sdk, _ = merchant
    assert sdk.query(out_trade_no="WX-IMPOSTOR-1")[0] == 404  # nothing was created


def test_a_tampered_answer_is_refused_by_the_sdk(served, merchant):  # noqa: F811
    running, data = served
    sdk, _ = merchant
    order(sdk, "WX-TAMPER-0001")
    proxy = TamperingProxy(running.gateway_url, lambda body: body.replace(b"NOTPAY", b"SUCCESS"))
    try:
        fooled = wechatpay_client(data, "http://127.0.0.1:9/notify", base_url=proxy.url)
        with pytest.raises(Exception, match="failed to verify the signature"):
            fooled.query(out_trade_no="WX-TAMPER-0001")
        honest = wechatpay_client(data, "http://127.0.0.1:9/notify", base_url=running.gateway_url)
        assert json.loads(honest.query(out_trade_no="WX-TAMPER-0001")[1])["trade_state"] == "NOTPAY"
    finally:
        proxy.close()


def test_a_replayed_request_is_refused(served):  # noqa: F811
    """The SDK checks no replay in what it receives, but the gateway does in what it receives."""
    running, data = served
    config = json.loads((data / "sdk" / "wechatpay.json").read_text())
    key = load_private_key((data / "sdk" / config["private_key_file"]).read_text())
    path = "/v3/pay/transactions/out-trade-no/WX-FLOW-0001?mchid=1900000109"
    headers = {
        "Authorization": build_authorization(path, "GET", config["mchid"], config["cert_serial_no"], key)
    }
    first = httpx.get(running.gateway_url + path, headers=headers)
    replayed = httpx.get(running.gateway_url + path, headers=headers)
    assert first.status_code in (200, 404)
    assert replayed.status_code == 401 and "replay" in replayed.json()["message"]


def test_certificate_mode_downloads_the_platform_certificate(served, merchant, tmp_path):  # noqa: F811
    """An SDK without the platform's public key fetches /v3/certificates when an answer names a new serial."""
    _, data = served
    sdk, _ = merchant
    order(sdk, "WX-CERT-0001")
    certificates = tmp_path / "certs"
    certificates.mkdir()
    (certificates / "OLD.pem").write_bytes(_another_certificate())  # so the SDK downloads nothing while built
    client = wechatpay_client(data, "http://127.0.0.1:9/notify", certificate_dir=certificates)
    code, found = client.query(out_trade_no="WX-CERT-0001")
    assert code == 200 and json.loads(found)["trade_state"] == "NOTPAY"
    downloaded = [path for path in certificates.glob("*.pem") if path.name != "OLD.pem"]
    assert len(downloaded) == 1
    certificate = x509.load_pem_x509_certificate(downloaded[0].read_bytes())
    platform = (data / "sdk" / "wechatpay-platform.public.pem").read_bytes()
    assert (
        certificate.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == platform
    )


def _another_certificate() -> bytes:
    import datetime

    key = load_pinned_key(2048, "c")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "some other platform certificate")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1234)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def test_serve_writes_the_sdk_credentials_as_documented(served):  # noqa: F811
    """DATA/sdk/: the two JSON files with exactly their fields, key paths relative, private files 0600."""
    running, data = served
    folder = data / "sdk"
    wechatpay = json.loads((folder / "wechatpay.json").read_text())
    alipay = json.loads((folder / "alipay.json").read_text())
    assert set(wechatpay) == {
        "base_url",
        "mchid",
        "appid",
        "cert_serial_no",
        "private_key_file",
        "apiv3_key",
        "public_key_file",
        "public_key_id",
    }
    assert set(alipay) == {"gateway_url", "appid", "app_private_key_file", "alipay_public_key_file"}
    assert (
        wechatpay["base_url"] == running.gateway_url
        and alipay["gateway_url"] == running.gateway_url + "/gateway.do"
    )
    for name in ("private_key_file", "public_key_file"):
        assert (folder / wechatpay[name]).is_file() and "/" not in wechatpay[name]
    for name in ("app_private_key_file", "alipay_public_key_file"):
        assert (folder / alipay[name]).is_file() and "/" not in alipay[name]
    private = [folder / wechatpay["private_key_file"], folder / alipay["app_private_key_file"]]
    for path in [*private, folder / "wechatpay.json", folder / "alipay.json"]:
        assert path.stat().st_mode & 0o777 == 0o600, path.name
    assert (
        (folder / wechatpay["private_key_file"]).read_text().startswith("-----BEGIN PRIVATE KEY-----")
    )  # PKCS#8
    platform = (folder / wechatpay["public_key_file"]).read_text()
    assert platform.startswith("-----BEGIN PUBLIC KEY-----")  # SubjectPublicKeyInfo
    paycore_keys = {(data / f"gateway-{role}.public.pem").read_text() for role in ("signing", "encryption")}
    assert (
        platform not in paycore_keys
        and (folder / alipay["alipay_public_key_file"]).read_text() not in paycore_keys
    )
