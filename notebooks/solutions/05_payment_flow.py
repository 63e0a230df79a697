"""Reference solutions for notebook 05's exercises."""

import base64
import binascii
import hashlib
import json

from paycore import secure
from paycore.errors import InvalidSignature


def my_canonical_request(method, path, timestamp, nonce, body):
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{digest}\n".encode()


refusals = {
    "replayed": "REPLAYED_NONCE",
    "amount changed": "INVALID_SIGNATURE",
    "stranger's key": "UNKNOWN_KEY",
    "signed with RSA2": "UNSUPPORTED_ALGORITHM",
    "idempotency key reused": "IDEMPOTENCY_KEY_REUSED",
    "card of another order": "PAYER_UNREADABLE",
    "replayed 10 minutes later": "TIMESTAMP_OUT_OF_WINDOW",
}


def recheck(order, payment):
    if payment["out_trade_no"] != order["out_trade_no"]:
        return "ORDER_NOT_FOUND"
    if payment["merchant_id"] != "M100001":
        return "MERCHANT_MISMATCH"
    value, currency = payment["amount"]["value"], payment["amount"]["currency"]
    if type(value) is not int or (value, currency) != (order["amount"], order["currency"]):
        return "AMOUNT_MISMATCH"
    return "PAID" if payment["status"] == "SUCCEEDED" else "FAILED"


def verify_notification(gateway_public_key, headers, body, now):
    try:
        timestamp = int(headers["Paycore-Timestamp"])
        nonce = headers["Paycore-Nonce"]
        signature = base64.b64decode(headers["Paycore-Signature"], validate=True)
    except (KeyError, ValueError, binascii.Error):
        return None
    canonical = my_canonical_request("POST", "/paycore/notify", timestamp, nonce, body)
    try:
        secure.verify(gateway_public_key, canonical, signature, "RSA-PSS-SHA256")
    except InvalidSignature:
        return None
    if abs(now - timestamp) > 300:
        return None
    return json.loads(body)
