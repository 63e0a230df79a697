"""Reference solutions for notebook 04's exercises."""

import hashlib
import json

from cryptography.hazmat.primitives import serialization

from paycore import secure
from paycore.errors import InvalidSignature


def my_key_id(public_key):
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def seal_order(gateway_public, order):
    order_bytes = json.dumps(order, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return secure.seal(gateway_public, order_bytes, associated_data=order["out_trade_no"].encode("ascii"))


def verdict(public_key, message, signature, algorithm):
    try:
        secure.verify(public_key, message, signature, algorithm)
    except InvalidSignature:
        return False
    return True
