"""Checkers for notebook 09 (real payment APIs: WeChat Pay v3 and Alipay beside paycore/1)."""

from __future__ import annotations

import base64
import json

from paycore.exercises.core import Wrong, exercise, shown

START = 1_764_201_600
WINDOW_SECONDS = 300


@exercise(
    "09.1",
    "WeChat Pay's request signing string",
    level=1,
    answer="wechatpay_message",
    hint="Five lines, each ending in \\n: method, path with its query, timestamp, nonce, and the body itself "
    "(not its hash). A GET has an empty body, so its last line is empty.",
)
def _message(answer: object) -> None:
    from paycore.payment.gateway.dialects.wechatpay_wire import request_message

    if not callable(answer):
        raise Wrong("wechatpay_message should be a function of (method, target, timestamp, nonce, body)")
    cases = [
        ("POST", "/v3/pay/transactions/native", START, "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", b'{"amount":1}'),
        ("GET", "/v3/pay/transactions/out-trade-no/T1?mchid=1900000109", START + 7, "N0NCE0001", b""),
    ]
    for method, target, stamp, nonce, body in cases:
        got, expected = (
            answer(method, target, stamp, nonce, body),
            request_message(method, target, stamp, nonce, body),
        )
        if isinstance(got, str):
            raise Wrong("return bytes: a signature covers bytes (encode the text as UTF-8)")
        if got == expected:
            continue
        if isinstance(got, bytes) and body and body not in got:
            raise Wrong(
                f"for {method} {target} the body is missing: WeChat Pay signs the body itself, not a hash"
            )
        if isinstance(got, bytes) and not got.endswith(b"\n"):
            raise Wrong("every line ends in \\n, the last one (the body's) too")
        raise Wrong(f"for {method} {target} you returned {shown(got)}; expected {shown(expected)}")


@exercise(
    "09.2",
    "Alipay's notification signing string",
    level=2,
    answer="alipay_notify_string",
    hint="Leave out sign and sign_type, sort the rest by name, join name=value with &, and keep empty values "
    "(body= stays in).",
)
def _notify(answer: object) -> None:
    from paycore.payment.gateway.dialects.alipay_wire import signing_string

    if not callable(answer):
        raise Wrong("alipay_notify_string should be a function of (fields) returning a str")
    fields = {
        "trade_status": "TRADE_SUCCESS",
        "sign_type": "RSA2",
        "app_id": "2021000000000001",
        "body": "",
        "total_amount": "49.90",
        "sign": "c2lnbmF0dXJl",
        "notify_id": "ac05099524730693a8b330c5ecf72da9786",
        "out_trade_no": "TEA_20251127_0001",
    }
    expected = signing_string(fields, leave_out=("sign", "sign_type"))
    got = answer(dict(fields))
    if got == expected:
        return
    if not isinstance(got, str):
        raise Wrong(f"return the string (a str), got {type(got).__name__}")
    if "sign_type=" in got:
        raise Wrong("a notification's string leaves out sign_type as well as sign (the SDK pops it first)")
    if "sign=" in got.replace("sign_type=", ""):
        raise Wrong("the signature cannot sign itself: leave out sign")
    if "body=" not in got:
        raise Wrong("an empty field is signed too: body= must stay in the string")
    raise Wrong(f"got {shown(got)}; expected {shown(expected)} (sorted by name, name=value joined by &)")


@exercise(
    "09.3",
    "verify a WeChat Pay answer, and check what the SDK does not",
    level=3,
    answer="verify_wechatpay_answer",
    hint="Check Wechatpay-Signature-Type, verify base64(Wechatpay-Signature) over "
    "TIMESTAMP\\nNONCE\\nBODY\\n with PKCS#1 v1.5 and SHA-256, then the window on Wechatpay-Timestamp "
    "(300 s each side, which the SDK skips) -- and only then json.loads.",
)
def _verify(answer: object) -> None:
    from paycore.payment.gateway.dialects.wechatpay_wire import signed_headers

    if not callable(answer):
        raise Wrong("verify_wechatpay_answer should be a function of (headers, body, platform_key, now)")
    platform, attacker = _exercise_keys()
    body = json.dumps({"out_trade_no": "TEA_20251127_0001", "trade_state": "SUCCESS"}).encode()
    good = signed_headers(platform, "PUB_KEY_ID_0001", body, START)
    result = answer(good, body, platform.public_key(), START + 10)
    if not isinstance(result, dict) or result.get("trade_state") != "SUCCESS":
        raise Wrong(f"a genuine answer should give back its parsed JSON, got {shown(result)}")
    other_type = {**good, "Wechatpay-Signature-Type": "WECHATPAY2-SHA1-RSA1024"}
    flipped = base64.b64decode(good["Wechatpay-Signature"])
    flipped = base64.b64encode(flipped[:-1] + bytes([flipped[-1] ^ 1])).decode()
    cases = [
        ("an answer without signature headers", {}, body, START),
        (
            "an answer signed with the attacker's key",
            signed_headers(attacker, "PUB_KEY_ID_0001", body, START),
            body,
            START,
        ),
        ("a genuine signature over another body", good, body.replace(b"SUCCESS", b"NOTPAY"), START),
        ("a signature with one bit changed", {**good, "Wechatpay-Signature": flipped}, body, START),
        ("another signature type", other_type, body, START),
        ("a genuine answer a day old (the SDK accepts it)", good, body, START + 86400),
        ("a genuine answer dated an hour ahead", good, body, START - 3600),
    ]
    for what, headers, data, now in cases:
        try:
            returned = answer(headers, data, platform.public_key(), now)
        except Exception:  # any exception is a refusal here
            continue
        raise Wrong(f"{what} was accepted (returned {shown(returned)}); it must raise")


def _exercise_keys():
    """Two RSA-2048 keys, made once per session (key generation is the slow part)."""
    from paycore import secure

    if not hasattr(_exercise_keys, "pair"):
        _exercise_keys.pair = (secure.generate_private_key(), secure.generate_private_key())
    return _exercise_keys.pair
