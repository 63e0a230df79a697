"""Attacks 21-23: what the platforms' SDKs leave to the merchant, and the SHA-1 downgrade.

The runners count what the merchant shipped and what the gateway accepted; these tests add which
check stopped each attempt, and that the guards refuse more than replays: a notification for
another amount or another merchant, and one the SDK cannot verify.
"""

import pytest

from paycore.attacks.protocol_sdk_common import AMOUNT, APP_ID, MCHID, SdkLab
from paycore.attacks.registry import run, select
from paycore.payment.merchant.sdk_callbacks import (
    AlipayNotifyGuard,
    CallbackRefused,
    MemoryIds,
    WeChatPayCallbackGuard,
)

EXPECTED_DEFENCE = {
    "replayed-wechatpay-callback": ["replayed at once: duplicate", "a day later: refused (window)"],
    "replayed-alipay-notify": ["replayed at once: duplicate", "a day later: refused (window)"],
    "alipay-sha1-downgrade": [
        "RSA (SHA-1): isv.invalid-signature-type",
        "labelled RSA: isv.invalid-signature-type",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_DEFENCE))
def test_breaks_the_naive_party_and_fails_on_the_real_one(name):
    (attack,) = select([name])
    broken, defended = run(attack, "vulnerable"), run(attack, "production")
    assert broken.error is None and broken.succeeded, broken.detail
    assert defended.error is None and not defended.succeeded, defended.detail
    for words in EXPECTED_DEFENCE[name]:
        assert words in defended.detail


def test_the_downgrade_control_request_is_accepted():
    """The real gateway's refusal is about the hash: the same request signed with RSA2 authenticates."""
    (attack,) = select(["alipay-sha1-downgrade"])
    assert "RSA2: ACQ.TRADE_NOT_EXIST" in run(attack, "production").detail


@pytest.fixture(scope="module")
def lab():
    with SdkLab() as built:
        yield built


def test_the_wechatpay_guard_re_checks_the_amount_and_the_merchant(lab):
    headers, body = lab.wechatpay_callback("LAB-WX-AMOUNT")
    short = WeChatPayCallbackGuard(
        lab.wechatpay_sdk, MCHID, {"LAB-WX-AMOUNT": (AMOUNT + 1, "CNY")}.get, lab.world.clock, MemoryIds()
    )
    with pytest.raises(CallbackRefused) as refused:
        short.receive(headers, body)
    assert refused.value.reason == "amount"
    other = WeChatPayCallbackGuard(
        lab.wechatpay_sdk, "1900000999", {"LAB-WX-AMOUNT": (AMOUNT, "CNY")}.get, lab.world.clock, MemoryIds()
    )
    with pytest.raises(CallbackRefused) as refused:
        other.receive(headers, body)
    assert refused.value.reason == "merchant"
    right = WeChatPayCallbackGuard(
        lab.wechatpay_sdk, MCHID, {"LAB-WX-AMOUNT": (AMOUNT, "CNY")}.get, lab.world.clock, MemoryIds()
    )
    with pytest.raises(CallbackRefused) as refused:
        right.receive(headers, body.replace(b'"id":"', b'"id":"x'))  # any change breaks the signature
    assert refused.value.reason == "signature"
    assert right.receive(headers, body).duplicate is False


def test_the_alipay_guard_re_checks_the_amount_and_the_application(lab):
    _, body = lab.alipay_notify("LAB_ALI_AMOUNT")
    short = AlipayNotifyGuard(
        lab.alipay_sdk, APP_ID, {"LAB_ALI_AMOUNT": (1, "CNY")}.get, lab.world.clock, MemoryIds()
    )
    with pytest.raises(CallbackRefused) as refused:
        short.receive(body)
    assert refused.value.reason == "amount"
    other = AlipayNotifyGuard(
        lab.alipay_sdk,
        "2021000000000999",
        {"LAB_ALI_AMOUNT": (AMOUNT, "CNY")}.get,
        lab.world.clock,
        MemoryIds(),
    )
    with pytest.raises(CallbackRefused) as refused:
        other.receive(body)
    assert refused.value.reason == "merchant"
    right = AlipayNotifyGuard(
        lab.alipay_sdk, APP_ID, {"LAB_ALI_AMOUNT": (AMOUNT, "CNY")}.get, lab.world.clock, MemoryIds()
    )
    with pytest.raises(CallbackRefused) as refused:
        right.receive(body.replace(b"sign_type=RSA2", b"sign_type=RSA"))  # the SDK refuses another sign type
    assert refused.value.reason == "signature"
    accepted = right.receive(body)
    assert (accepted.duplicate, accepted.amount, accepted.status) == (False, AMOUNT, "TRADE_SUCCESS")
