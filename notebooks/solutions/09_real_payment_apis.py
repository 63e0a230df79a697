"""Reference solutions for notebook 09's exercises."""

import base64
import json

from paycore import secure


def wechatpay_message(method, target, timestamp, nonce, body):
    return f"{method}\n{target}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"


def alipay_notify_string(fields):
    kept = {name: value for name, value in fields.items() if name not in ("sign", "sign_type")}
    return "&".join(f"{name}={kept[name]}" for name in sorted(kept))


def verify_wechatpay_answer(headers, body, platform_key, now):
    if headers["Wechatpay-Signature-Type"] != "WECHATPAY2-SHA256-RSA2048":
        raise ValueError("not WeChat Pay's signature type")
    timestamp, nonce = headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"]
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    signature = base64.b64decode(headers["Wechatpay-Signature"])
    secure.verify(platform_key, message, signature, "RSA2")  # raises InvalidSignature
    if abs(now - int(timestamp)) > 300:
        raise ValueError("outside the 300 s window")
    return json.loads(body)
