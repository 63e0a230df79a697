"""The simulated issuer: who a payer is, what they hold, and whether they may pay.

A real gateway asks the card's issuing bank or its own wallet system; paycore keeps the payers'
accounts in its own ledger. A card is known only by a keyed token (HMAC-SHA256 of its number and
expiry under the gateway's secret) and its masked number; a wallet by its id. The demo payers are
opened with :meth:`Issuer.open_account`, funded from outside the ledger.

The CVV is checked, never kept: a real issuer recomputes it from the card number with a secret
key (the CVK) and compares; paycore keeps, at account opening, an HMAC of the CVV under a key
derived from the gateway's secret, and compares HMACs in constant time. A wrong CVV declines the
payment (``CVV_MISMATCH``); the CVV itself is stored nowhere, not even hashed without a key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

from paycore.payment.clock import Clock
from paycore.payment.gateway import ledger
from paycore.payment.gateway.store import GatewayStore, GatewayUnitOfWork, PayerRecord, new_id
from paycore.payment.methods import Card, PaymentMethod
from paycore.payment.money import Money


@dataclass(frozen=True)
class Payer:
    """A payment method as the issuer knows it: its stored id, kind and masked form."""

    method_id: str
    kind: str
    display: str


class Issuer:
    """Identifies payers, says why one may not pay, and opens demo accounts."""

    def __init__(self, store: GatewayStore, clock: Clock, token_secret: bytes) -> None:
        if len(token_secret) < 16:
            raise ValueError("the card-token secret must be at least 16 bytes")
        self.store = store
        self.clock = clock
        self._token_secret = token_secret
        self._cvv_key = hmac.new(token_secret, b"paycore issuer CVV check key", hashlib.sha256).digest()

    def identify(self, method: PaymentMethod) -> Payer:
        """The stored identity of a card (its token) or a wallet (its id)."""
        if isinstance(method, Card):
            return Payer(method.token(self._token_secret), "card", method.masked)
        return Payer(method.account, "wallet", method.masked)

    def refusal_before_lookup(self, method: PaymentMethod) -> str | None:
        """A failure code the method earns by itself (an expired card), before any account is read."""
        today = datetime.fromtimestamp(self.clock.now(), tz=timezone.utc)
        if isinstance(method, Card) and method.expired(today.year, today.month):
            return "CARD_EXPIRED"
        return None

    @staticmethod
    def unknown_payer_code(payer: Payer) -> str:
        """The failure code when no account stands behind the method."""
        return "CARD_DECLINED" if payer.kind == "card" else "WALLET_NOT_FOUND"

    def _cvv_check(self, card: Card) -> str:
        data = f"{card.token(self._token_secret)}|{card.cvv}".encode("ascii")
        return hmac.new(self._cvv_key, data, hashlib.sha256).hexdigest()

    def refusal_of(self, method: PaymentMethod, known: PayerRecord) -> str | None:
        """Why a known payer may not pay: a card whose CVV does not match (or was never registered)."""
        if isinstance(method, Card):
            expected = known.cvv_check or ""
            if not hmac.compare_digest(self._cvv_check(method), expected):
                return "CVV_MISMATCH"
        return None

    def account_of(self, method: PaymentMethod, currency: str) -> str:
        """The ledger account id of a payer in one currency."""
        return ledger.payer_account(self.identify(method).method_id, currency)

    def open_account(self, method: PaymentMethod, balance: Money) -> str:
        """A payer the (simulated) issuer knows, holding ``balance``; returns the account id.

        Opening a method that is already known changes nothing.
        """
        payer = self.identify(method)
        account_id = ledger.payer_account(payer.method_id, balance.currency)
        now = self.clock.now()

        def work(unit: GatewayUnitOfWork) -> None:
            if unit.payer_method(payer.method_id) is not None:
                return
            ledger.open_account(unit, account_id, "payer", balance.currency)
            cvv_check = self._cvv_check(method) if isinstance(method, Card) else None
            unit.add_payer_method(
                PayerRecord(payer.method_id, payer.kind, payer.display, account_id, cvv_check)
            )
            ledger.fund(unit, transfer_id=new_id("fund"), account_id=account_id, money=balance, now=now)

        self.store.run(work)
        return account_id
