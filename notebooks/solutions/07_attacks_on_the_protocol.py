"""Reference solutions for notebook 07's exercises."""

import json

from paycore import secure
from paycore.payment.protocol.replay import check_timestamp
from paycore.payment.protocol.signing import SignedHeaders, canonical_request


def in_window(timestamp, now):
    return abs(now - timestamp) <= 300


def remember_until(timestamp, arrival):
    return timestamp + 300


def verify_notification(path, headers, body, gateway_key, now):
    signed = SignedHeaders.from_headers(headers)  # raises if a header is missing or malformed
    if signed.key_id != secure.key_id(gateway_key):
        raise ValueError("not signed with the gateway's key")
    canonical = canonical_request("POST", path, signed.timestamp, signed.nonce, body)
    secure.verify(gateway_key, canonical, signed.signature, signed.algorithm)  # raises InvalidSignature
    check_timestamp(signed.timestamp, now)  # raises when outside the window
    return json.loads(body)
