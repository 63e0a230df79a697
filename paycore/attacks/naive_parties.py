"""A naive gateway and a naive merchant: the protocol written the way too many are. VULNERABLE.

.. warning::
   Both classes are broken on purpose, each weakness behind a named switch, so the protocol
   attacks (14-20) have something to break. The real parties, :mod:`paycore.payment.gateway`
   and :mod:`paycore.payment.merchant`, have none of these flaws; each attack's production
   runner shows that against them. Never deploy these.

They speak the same headers as protocol ``paycore/1`` (:mod:`paycore.payment.protocol`) but
skip or botch one check each:

* :class:`NaiveGateway` -- ``signs="fields"`` verifies a signature over the merchant id and order
  number only (attack 15); ``window`` may be ``"none"`` or ``"past"`` only (attacks 14, 18);
  ``nonce_memory=None`` keeps no nonces (14), and ``nonce_clock="arrival"`` counts a nonce's memory
  from when it arrived instead of from its timestamp (18); ``idempotency="key"`` replays a stored
  answer for the same key whatever the body (19). With every switch at its default, it refuses
  what the real gateway refuses: its weaknesses are the switches, nothing else.
* :class:`NaiveMerchant` -- ``verify="none"`` trusts unsigned notifications (16);
  ``verify="presented-key"`` checks the signature with a public key the message brings (17);
  ``recheck_amount=False`` marks an order paid whatever amount the notification names (20).
"""

from __future__ import annotations

import base64
import json
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.errors import InvalidSignature
from paycore.payment.clock import Clock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.protocol import IDEMPOTENCY_KEY, PAYMENTS_PATH
from paycore.payment.protocol.signing import SignedHeaders, canonical_request

PRESENTED_KEY = "Paycore-Public-Key"
"""The header in which attack 17's forger brings its own public key (base64 PEM)."""


class Refused(Exception):
    """A naive party said no (it does check *something*)."""


def _header(headers: dict[str, str], name: str) -> str | None:
    return {key.lower(): value for key, value in headers.items()}.get(name.lower())


def _check(key: rsa.RSAPublicKey, signed: SignedHeaders, canonical: bytes) -> None:
    """The one check both naive parties do get right: the signature over the canonical string."""
    try:
        secure.verify(key, canonical, signed.signature, signed.algorithm)
    except InvalidSignature:
        raise PaymentError(ErrorCode.INVALID_SIGNATURE, "signature does not match the message") from None


class NaiveGateway:
    """VULNERABLE: takes payments from one merchant and debits one payer, with the named flaws."""

    def __init__(
        self,
        merchant_key: rsa.RSAPublicKey,
        clock: Clock,
        *,
        signs: Literal["body", "fields"] = "body",
        window: Literal["none", "past", "both"] = "both",
        nonce_memory: int | None = 300,
        nonce_clock: Literal["timestamp", "arrival"] = "timestamp",
        idempotency: Literal["none", "key"] = "none",
        payer_balance: int = 1_000_000,
    ) -> None:
        self.merchant_key = merchant_key
        self.clock = clock
        self.signs, self.window, self.idempotency = signs, window, idempotency
        self.nonce_memory, self.nonce_clock = nonce_memory, nonce_clock
        self.payer_balance = payer_balance
        self.charged: list[int] = []
        self._nonces: dict[str, float] = {}
        self._answers: dict[str, dict] = {}

    def pay(self, headers: dict[str, str], body: bytes) -> dict:
        """Check what this gateway checks, then debit the payer; the answer, or :class:`Refused`."""
        signed = SignedHeaders.from_headers(headers)
        document = json.loads(body)
        if self.signs == "fields":  # the flaw of attack 15: the amount is not covered
            covered = f"{document['merchant_id']}&{document['out_trade_no']}".encode()
            try:
                secure.verify(self.merchant_key, covered, signed.signature, signed.algorithm)
            except InvalidSignature:
                raise Refused("bad signature") from None
        else:
            _check(
                self.merchant_key,
                signed,
                canonical_request("POST", PAYMENTS_PATH, signed.timestamp, signed.nonce, body),
            )
        now = self.clock.now()
        if self.window in ("past", "both") and now - signed.timestamp > 300:
            raise Refused("stale timestamp")
        if self.window == "both" and signed.timestamp - now > 300:
            raise Refused("timestamp in the future")
        if self.nonce_memory is not None:
            self._nonces = {nonce: until for nonce, until in self._nonces.items() if until >= now}
            if signed.nonce in self._nonces:
                raise Refused("nonce seen before")
            start = (
                now if self.nonce_clock == "arrival" else max(now, signed.timestamp)
            )  # arrival: attack 18's flaw
            self._nonces[signed.nonce] = start + self.nonce_memory
        key = _header(headers, IDEMPOTENCY_KEY)
        if self.idempotency == "key" and key in self._answers:  # the flaw of attack 19: no fingerprint
            return self._answers[key]
        amount = document["amount"]["value"]
        self.payer_balance -= amount
        self.charged.append(amount)
        answer = {
            "out_trade_no": document["out_trade_no"],
            "status": "SUCCEEDED",
            "amount": document["amount"],
        }
        if key:
            self._answers[key] = answer
        return answer


class NaiveMerchant:
    """VULNERABLE: a merchant's notification endpoint with the named flaws; one order awaits payment."""

    def __init__(
        self,
        gateway_key: rsa.RSAPublicKey,
        *,
        out_trade_no: str,
        amount: int,
        verify: Literal["none", "presented-key", "pinned"] = "pinned",
        recheck_amount: bool = True,
    ) -> None:
        self.gateway_key = gateway_key
        self.gateway_key_id = secure.key_id(gateway_key)
        self.verify, self.recheck_amount = verify, recheck_amount
        self.orders = {out_trade_no: {"amount": amount, "status": "PAYING"}}

    def _verification_key(self, headers: dict[str, str], signed: SignedHeaders) -> rsa.RSAPublicKey:
        if self.verify == "presented-key":  # the flaw of attack 17: the message names its own judge
            return secure.load_public_key_pem(base64.b64decode(_header(headers, PRESENTED_KEY) or ""))
        if signed.key_id != self.gateway_key_id:
            raise Refused("not the gateway's key")
        return self.gateway_key

    def notify(self, path: str, headers: dict[str, str], body: bytes) -> str:
        """Apply a notification; return the order's new status or raise :class:`Refused`."""
        if self.verify != "none":  # the flaw of attack 16 is to skip all of this
            signed = SignedHeaders.from_headers(headers)
            key = self._verification_key(headers, signed)
            _check(key, signed, canonical_request("POST", path, signed.timestamp, signed.nonce, body))
        data = json.loads(body)["data"]
        order = self.orders.get(data["out_trade_no"])
        if order is None:
            raise Refused("unknown order")
        if self.recheck_amount and data["amount"]["value"] != order["amount"]:
            raise Refused("amount differs from the order's")
        if data["status"] == "SUCCEEDED":
            order["status"] = "PAID"
        return order["status"]
