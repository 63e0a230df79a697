"""A merchant that trusts its SDK alone, and an Alipay gateway that trusts ``sign_type``. VULNERABLE.

.. warning::
   Both are broken on purpose, for attacks 21-23; the real parties -- a merchant behind
   :mod:`paycore.payment.merchant.sdk_callbacks` and the gateway's dialects
   (:mod:`paycore.payment.gateway.dialects`) -- have neither flaw. Never deploy these.

* :class:`SdkOnlyMerchant` acts on every notification its SDK verifies (WeChat Pay's ``callback``,
  Alipay's ``verify``): it ships the order each time. The SDKs check the signature and nothing else
  -- no window, no duplicate, no amount -- so a recorded notification sent again ships again
  (attacks 21, 22).
* :class:`NaiveAlipayGateway` verifies a request with the hash its ``sign_type`` names: ``RSA2``
  with SHA-256, ``RSA`` with SHA-1. The request chooses how weakly it is checked (attack 23).
"""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from collections.abc import Callable
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from paycore.attacks.naive_parties import Refused

HASHES = {"RSA": hashes.SHA1, "RSA2": hashes.SHA256}


class SdkOnlyMerchant:
    """VULNERABLE: ships an order for every notification ``verify(headers, body)`` lets through."""

    def __init__(self, verify: Callable[[dict, bytes], dict | None], order_of: Callable[[dict], str]) -> None:
        self.verify = verify
        self.order_of = order_of
        self.shipped: Counter[str] = Counter()

    def notify(self, headers: dict, body: bytes) -> str:
        """What the merchant's notify URL does: verify with the SDK, then ship."""
        notification = self.verify(headers, body)
        if not notification:
            raise Refused("the SDK could not verify the notification")
        order = self.order_of(notification)
        self.shipped[order] += 1
        return f"shipped {order}"


class NaiveAlipayGateway:
    """VULNERABLE: checks a request's RSA signature with whichever hash the request asks for."""

    def __init__(self, app_public_key: rsa.RSAPublicKey) -> None:
        self.app_public_key = app_public_key

    def accepts(self, query: str) -> bool:
        """Whether the signed query string (as the Alipay SDK builds it) verifies."""
        params = dict(parse_qsl(query, keep_blank_values=True))
        algorithm = HASHES.get(params.get("sign_type", ""))
        if algorithm is None:
            return False
        text = "&".join(f"{name}={params[name]}" for name in sorted(params) if name != "sign")
        try:
            signature = base64.b64decode(params.get("sign", ""), validate=True)
            self.app_public_key.verify(signature, text.encode(), padding.PKCS1v15(), algorithm())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True
