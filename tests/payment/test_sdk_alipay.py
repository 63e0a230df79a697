"""Alipay's Python SDK (``python-alipay-sdk`` from PyPI, unmodified) against ``paycore serve``.

The SDK creates, queries, closes and refunds trades and makes barcode payments; the buyer pays at
the gateway's cashier; the merchant's notify URL -- a real HTTP server here -- verifies every
notification with the SDK's own ``verify`` and answers ``success``.
"""

from __future__ import annotations

import httpx
import pytest
from alipay.exceptions import AliPayException, AliPayValidationError

from tests.conftest import load_pinned_key
from tests.payment.sdk_helpers import (
    MerchantEndpoint,
    TamperingProxy,
    alipay_client,
    alipay_verifier,
    gateway_books,
    pem,
    served,  # noqa: F401 (a fixture)
)

CARD = {"method": {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}}
MERCHANT_ACCOUNT = "merchant:alipay:2021000000000001:CNY"


@pytest.fixture(scope="module")
def merchant(served):  # noqa: F811
    """The demo application: the SDK, and its notify endpoint verifying with that SDK."""
    _, data = served
    holder: dict = {}
    endpoint = MerchantEndpoint(
        lambda headers, body: alipay_verifier(holder["sdk"])(headers, body), (200, b"success")
    )
    holder["sdk"] = alipay_client(data, endpoint.url + "/alipay/notify")
    yield holder["sdk"], endpoint
    endpoint.close()


def test_precreate_scan_pay_verified_notification_query_and_refund(served, merchant):  # noqa: F811
    running, data = served
    sdk, endpoint = merchant
    created = sdk.api_alipay_trade_precreate(
        subject="Green tea", out_trade_no="ALI_FLOW_1", total_amount="12.34"
    )
    assert created["code"] == "10000" and created["qr_code"].startswith(running.gateway_url + "/cashier/")
    before_scan = sdk.api_alipay_trade_query(out_trade_no="ALI_FLOW_1")
    assert (before_scan["code"], before_scan["sub_code"]) == ("40004", "ACQ.TRADE_NOT_EXIST")

    assert httpx.get(created["qr_code"]).status_code == 200  # the buyer scans: the cashier opens
    assert sdk.api_alipay_trade_query(out_trade_no="ALI_FLOW_1")["trade_status"] == "WAIT_BUYER_PAY"
    paid = httpx.post(created["qr_code"], json=CARD)
    assert paid.status_code == 200 and paid.json()["status"] == "TRADE_SUCCESS"

    (notification,) = endpoint.wait_for(1)  # verified by the SDK, then answered "success"
    assert notification["trade_status"] == "TRADE_SUCCESS" and notification["out_trade_no"] == "ALI_FLOW_1"
    assert notification["total_amount"] == "12.34" and notification["body"] == ""  # empty, and signed
    found = sdk.api_alipay_trade_query(out_trade_no="ALI_FLOW_1")
    assert found["trade_status"] == "TRADE_SUCCESS" and found["trade_no"] == notification["trade_no"]

    part = sdk.api_alipay_trade_refund(refund_amount="2.34", out_trade_no="ALI_FLOW_1", out_request_no="R1")
    assert (part["code"], part["fund_change"], part["refund_fee"]) == ("10000", "Y", "2.34")
    again = sdk.api_alipay_trade_refund(refund_amount="2.34", out_trade_no="ALI_FLOW_1", out_request_no="R1")
    assert (again["fund_change"], again["refund_fee"]) == ("N", "2.34")  # the same refund, once
    assert endpoint.wait_for(2)[1]["refund_fee"] == "2.34"
    rest = sdk.api_alipay_trade_refund(refund_amount="10.00", trade_no=found["trade_no"], out_request_no="R2")
    assert rest["refund_fee"] == "12.34"
    assert sdk.api_alipay_trade_query(out_trade_no="ALI_FLOW_1")["trade_status"] == "TRADE_CLOSED"
    too_much = sdk.api_alipay_trade_refund(
        refund_amount="0.01", out_trade_no="ALI_FLOW_1", out_request_no="R3"
    )
    assert too_much["sub_code"] == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"

    totals, store = gateway_books(data)
    try:
        assert set(totals.values()) == {0}
        assert store.balance(MERCHANT_ACCOUNT) == 0  # paid 12.34, refunded 12.34
    finally:
        store.close()


def test_create_then_close_and_the_trade_can_no_longer_be_paid(served, merchant):  # noqa: F811
    sdk, _ = merchant
    created = sdk.api_alipay_trade_create(subject="Tea", out_trade_no="ALI_CLOSE_1", total_amount="5.00")
    assert created["code"] == "10000"
    assert sdk.api_alipay_trade_query(trade_no=created["trade_no"])["trade_status"] == "WAIT_BUYER_PAY"
    assert sdk.api_alipay_trade_close(out_trade_no="ALI_CLOSE_1")["code"] == "10000"
    assert sdk.api_alipay_trade_query(out_trade_no="ALI_CLOSE_1")["trade_status"] == "TRADE_CLOSED"
    refused = sdk.api_alipay_trade_refund(refund_amount="5.00", out_trade_no="ALI_CLOSE_1")
    assert refused["sub_code"] == "ACQ.TRADE_STATUS_ERROR"


def test_page_pay_opens_the_cashier_in_the_browser(merchant):
    sdk, _ = merchant
    signed = sdk.api_alipay_trade_page_pay(subject="Tea", out_trade_no="ALI_PAGE_1", total_amount="1.50")
    opened = httpx.get(sdk._gateway + "?" + signed)  # where the merchant's page sends the buyer
    assert opened.status_code == 303
    cashier = opened.headers["location"]
    assert "CNY 1.50" in httpx.get(cashier).text
    assert httpx.post(cashier, json={"method": {"type": "wallet", "account": "W-alice"}}).status_code == 200
    assert sdk.api_alipay_trade_query(out_trade_no="ALI_PAGE_1")["trade_status"] == "TRADE_SUCCESS"


def test_barcode_payment_with_a_one_time_payment_code(served, merchant):  # noqa: F811
    running, _ = served
    sdk, _ = merchant
    code = httpx.post(
        running.gateway_url + "/cashier/payment-code",
        json={"method": {"type": "wallet", "account": "W-alice"}},
    )
    auth_code = code.json()["auth_code"]
    paid = sdk.api_alipay_trade_pay("ALI_CODE_1", "bar_code", auth_code, "Tea", total_amount="3.00")
    assert (paid["code"], paid["trade_status"], paid["total_amount"]) == ("10000", "TRADE_SUCCESS", "3.00")
    reused = sdk.api_alipay_trade_pay("ALI_CODE_2", "bar_code", auth_code, "Tea", total_amount="3.00")
    assert reused["sub_code"] == "ACQ.PAYMENT_AUTH_CODE_INVALID"
    assert sdk.api_alipay_trade_query(out_trade_no="ALI_CODE_2")["sub_code"] == "ACQ.TRADE_NOT_EXIST"


def test_business_refusals_come_back_signed_as_dicts(merchant):
    sdk, _ = merchant
    sdk.api_alipay_trade_precreate(subject="Tea", out_trade_no="ALI_SAME_1", total_amount="1.00")
    again = sdk.api_alipay_trade_precreate(subject="Tea", out_trade_no="ALI_SAME_1", total_amount="1.00")
    assert again["code"] == "10000"  # the same trade: the same code
    other = sdk.api_alipay_trade_precreate(subject="Tea", out_trade_no="ALI_SAME_1", total_amount="9.00")
    assert (other["code"], other["sub_code"]) == ("40004", "ACQ.INVALID_PARAMETER")
    bad = sdk.api_alipay_trade_precreate(subject="Tea", out_trade_no="ALI_BAD_1", total_amount="1.001")
    assert bad["sub_code"] == "ACQ.INVALID_PARAMETER"
    off_origin = sdk.api_alipay_trade_precreate(
        subject="Tea", out_trade_no="ALI_BAD_2", total_amount="1.00", notify_url="http://attacker.example/x"
    )
    assert off_origin["sub_code"] == "ACQ.INVALID_PARAMETER"


def test_a_wrong_application_key_is_an_invalid_signature(served):  # noqa: F811
    _, data = served
    impostor = alipay_client(
        data, "http://127.0.0.1:9/notify", private_key_pem=pem(load_pinned_key(2048, "c"))
    )
    with pytest.raises(AliPayException, match="isv.invalid-signature"):
        impostor.api_alipay_trade_precreate(subject="Tea", out_trade_no="ALI_IMPOSTOR_1", total_amount="1.00")


def test_sign_type_rsa_sha1_is_refused(served):  # noqa: F811
    _, data = served
    downgraded = alipay_client(data, "http://127.0.0.1:9/notify", sign_type="RSA")
    with pytest.raises(AliPayException, match="isv.invalid-signature-type"):
        downgraded.api_alipay_trade_query(out_trade_no="ALI_FLOW_1")


def test_a_tampered_answer_is_refused_by_the_sdk(served, merchant):  # noqa: F811
    running, data = served
    sdk, _ = merchant
    sdk.api_alipay_trade_create(subject="Tea", out_trade_no="ALI_TAMPER_1", total_amount="2.00")
    proxy = TamperingProxy(
        running.gateway_url, lambda body: body.replace(b"WAIT_BUYER_PAY", b"TRADE_SUCCESS")
    )
    try:
        fooled = alipay_client(data, "http://127.0.0.1:9/notify", gateway_url=proxy.url + "/gateway.do")
        with pytest.raises(AliPayValidationError):
            fooled.api_alipay_trade_query(out_trade_no="ALI_TAMPER_1")
    finally:
        proxy.close()
    assert sdk.api_alipay_trade_query(out_trade_no="ALI_TAMPER_1")["trade_status"] == "WAIT_BUYER_PAY"
