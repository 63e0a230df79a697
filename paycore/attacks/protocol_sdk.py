"""What the platforms' SDKs leave to the merchant (21, 22), and a downgrade the gateway must refuse (23).

WeChat Pay's Python SDK (``wechatpayv3``) verifies a callback's signature and decrypts its resource;
Alipay's (``python-alipay-sdk``) verifies a notification's signature. Neither looks at the time,
remembers what it has seen, or compares the amount with the order: a notification recorded on the
wire -- a log, a proxy, a leaky webhook inspector -- verifies again a day later, and a merchant that
trusts the SDK alone ships the order again. paycore's merchant-side guards
(:mod:`paycore.payment.merchant.sdk_callbacks`) add a two-sided window on the notification's own
signed time, deduplication by the platform's event id, and an amount re-check.

Alipay's requests name their own hash: ``sign_type=RSA2`` (SHA-256) or the legacy ``RSA`` (SHA-1).
A gateway that checks each request with the hash it asks for lets a request choose SHA-1, whose
collisions are practical (identical-prefix, SHAttered 2017; chosen-prefix, SHAmbles 2020, about
US$45k of GPU time): one message signed under SHA-1 then vouches for another. paycore's gateway
accepts ``RSA2`` only, as ``paycore/1`` pins one algorithm per key. The lab shows the acceptance; it
computes no collision.

Sources: the wechatpayv3 2.0.4 and python-alipay-sdk 3.4.0 sources (``callback``, ``verify``);
WeChat Pay's and Alipay's notification guides (deduplicate, re-check the amount); SHAttered (Stevens
et al., 2017); "SHA-1 is a Shambles" (Leurent and Peyrin, 2020); CWE-294, CWE-757.
"""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl

from paycore.attacks.naive_parties import Refused
from paycore.attacks.naive_sdk_parties import NaiveAlipayGateway, SdkOnlyMerchant
from paycore.attacks.protocol_sdk_common import AMOUNT, APP_ID, MCHID, SdkLab
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.payment.clock import SystemClock
from paycore.payment.merchant.sdk_callbacks import (
    AlipayNotifyGuard,
    CallbackRefused,
    MemoryIds,
    WeChatPayCallbackGuard,
)

DAY = 24 * 3600


def _alipay_fields(body: bytes) -> dict:
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def _alipay_verify(sdk):
    def verify(_headers: dict, body: bytes) -> dict | None:
        fields = _alipay_fields(body)
        signature = fields.pop("sign", "")
        return fields if sdk.verify(dict(fields), signature) else None

    return verify


def _naive_replay(lab: SdkLab, merchant: SdkOnlyMerchant, captured: tuple[dict, bytes], order: str, who: str):
    headers, body = captured
    merchant.notify(headers, body)  # the genuine notification
    lab.world.clock.advance(DAY)
    with Stopwatch() as watch, contextlib.suppress(Refused):
        merchant.notify(headers, body)  # the attacker's recording, a day later
    shipped = merchant.shipped[order]
    return Outcome(
        who, shipped > 1, Work(queries=1, seconds=watch.seconds), f"one payment, shipped {shipped} times"
    )


def _guarded_replay(lab: SdkLab, receive, captured: tuple[dict, bytes], order: str, who: str):
    shipped, seen = 0, []
    headers, body = captured
    with Stopwatch() as watch:
        for when in ("genuine", "replayed at once", "replayed a day later"):
            if when == "replayed a day later":
                lab.world.clock.advance(DAY)
            try:
                accepted = receive(headers, body)
            except CallbackRefused as refusal:
                seen.append(f"{when}: refused ({refusal.reason})")
                continue
            if accepted.duplicate:
                seen.append(f"{when}: duplicate, acknowledged")
            else:
                shipped += 1
                seen.append(f"{when}: shipped")
    return Outcome(who, shipped > 1, Work(queries=2, seconds=watch.seconds), "; ".join(seen))


# -- 21: a replayed WeChat Pay callback -------------------------------------------------------------
def wechatpay_vulnerable() -> Outcome:
    with SdkLab() as lab:
        captured = lab.wechatpay_callback("LAB-WX-21")
        merchant = SdkOnlyMerchant(
            lab.wechatpay_sdk.callback, lambda notice: notice["resource"]["out_trade_no"]
        )
        return _naive_replay(
            lab, merchant, captured, "LAB-WX-21", "merchant that trusts the WeChat Pay SDK alone"
        )


def wechatpay_production() -> Outcome:
    with SdkLab() as lab:
        captured = lab.wechatpay_callback("LAB-WX-21")
        guard = WeChatPayCallbackGuard(
            lab.wechatpay_sdk, MCHID, {"LAB-WX-21": (AMOUNT, "CNY")}.get, lab.world.clock, MemoryIds()
        )
        return _guarded_replay(lab, guard.receive, captured, "LAB-WX-21", "SDK + paycore callback guard")


# -- 22: a replayed Alipay notification -------------------------------------------------------------
def alipay_vulnerable() -> Outcome:
    with SdkLab() as lab:
        captured = lab.alipay_notify("LAB_ALI_22")
        merchant = SdkOnlyMerchant(_alipay_verify(lab.alipay_sdk), lambda fields: fields["out_trade_no"])
        return _naive_replay(
            lab, merchant, captured, "LAB_ALI_22", "merchant that trusts the Alipay SDK alone"
        )


def alipay_production() -> Outcome:
    with SdkLab() as lab:
        captured = lab.alipay_notify("LAB_ALI_22")
        guard = AlipayNotifyGuard(
            lab.alipay_sdk, APP_ID, {"LAB_ALI_22": (AMOUNT, "CNY")}.get, lab.world.clock, MemoryIds()
        )
        return _guarded_replay(
            lab, lambda _h, body: guard.receive(body), captured, "LAB_ALI_22", "SDK + paycore notify guard"
        )


# -- 23: sign_type=RSA, a downgrade to SHA-1 ---------------------------------------------------------
def downgrade_vulnerable() -> Outcome:
    with SdkLab() as lab:
        gateway = NaiveAlipayGateway(lab.app_key.public_key())
        with Stopwatch() as watch:
            legacy = lab.alipay_client("RSA").client_api("alipay.trade.query", {"out_trade_no": "LAB_ALI_23"})
            accepted = gateway.accepts(legacy)
        return Outcome(
            "gateway that verifies with the hash sign_type names",
            accepted,
            Work(queries=1, seconds=watch.seconds),
            f"a request signed with SHA-1 (sign_type=RSA) was {'accepted' if accepted else 'refused'}",
        )


def downgrade_production() -> Outcome:
    with SdkLab(clock=SystemClock(), alipay_timezone=None) as lab:  # the SDK writes its local time
        biz = {"out_trade_no": "LAB_ALI_23"}
        with Stopwatch() as watch:
            modern = lab.send_to_gateway(lab.alipay_sdk.client_api("alipay.trade.query", biz))
            legacy = lab.send_to_gateway(lab.alipay_client("RSA").client_api("alipay.trade.query", biz))
            relabelled = lab.send_to_gateway(
                lab.alipay_sdk.client_api("alipay.trade.query", biz).replace(
                    "sign_type=RSA2", "sign_type=RSA"
                )
            )
        answers = {"RSA2": modern, "RSA (SHA-1)": legacy, "RSA2 signature labelled RSA": relabelled}
        said = {
            name: (answer.get("error_response") or answer.get("alipay_trade_query_response", {})).get(
                "sub_code", "authenticated"
            )
            for name, answer in answers.items()
        }
        accepted = "error_response" not in legacy
        detail = "; ".join(f"{name}: {code}" for name, code in said.items())
        return Outcome(
            "paycore gateway (Alipay dialect)", accepted, Work(queries=3, seconds=watch.seconds), detail
        )


register(
    Attack(
        21,
        "replayed-wechatpay-callback",
        "Replay a recorded WeChat Pay callback to a merchant",
        "wechatpayv3 2.0.4 callback() checks the signature only: no window, no duplicate",
        "a two-sided window on Wechatpay-Timestamp, dedup by the callback's id, amount re-checked",
        wechatpay_vulnerable,
        wechatpay_production,
    )
)
register(
    Attack(
        22,
        "replayed-alipay-notify",
        "Replay a recorded Alipay notification to a merchant",
        "python-alipay-sdk 3.4.0 verify() checks the signature only: no notify_time, no notify_id",
        "a two-sided window on notify_time, dedup by notify_id, amount and app_id re-checked",
        alipay_vulnerable,
        alipay_production,
    )
)
register(
    Attack(
        23,
        "alipay-sha1-downgrade",
        "Get an Alipay request checked with SHA-1 (sign_type=RSA)",
        "Alipay's legacy RSA sign type; SHAttered (2017) and SHA-1 chosen-prefix collisions (2020)",
        "accept sign_type=RSA2 only (SHA-256), one algorithm per key, refused before the signature",
        downgrade_vulnerable,
        downgrade_production,
    )
)
