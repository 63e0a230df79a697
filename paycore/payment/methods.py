"""Payment methods: a card (checked with Luhn, stored only as a token) and a wallet account.

Card data is the most sensitive thing in a payment. It travels only inside the encrypted
envelope, the gateway keeps only a keyed token and the masked number (first six and last four
digits, as PCI DSS allows), and the CVV is checked for form, used, and never stored or logged.
``repr`` never shows the number or the CVV, so a stray ``print`` or log line cannot leak them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

_DIGITS = re.compile(r"[0-9]+")


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check digit test that every card number passes.

    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    if not isinstance(number, str) or not _DIGITS.fullmatch(number):
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def mask_card_number(number: str) -> str:
    """BIN (first six) and last four digits, the rest hidden.

    >>> mask_card_number("4111111111111111")
    '411111******1111'
    """
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


@dataclass(frozen=True)
class Card:
    """A card as the payer enters it. Exists only in flight; never persisted."""

    number: str = field(repr=False)
    expiry: str  # "MM/YY"
    cvv: str = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("number", "expiry", "cvv"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"card {name} must be a string of digits")
        if not 12 <= len(self.number) <= 19 or not _DIGITS.fullmatch(self.number):
            raise ValueError("card number must be 12 to 19 digits")
        if not luhn_valid(self.number):
            raise ValueError("card number fails the Luhn check (a typo?)")
        if not re.fullmatch(r"(0[1-9]|1[0-2])/[0-9]{2}", self.expiry):
            raise ValueError('card expiry must look like "MM/YY"')
        if not re.fullmatch(r"[0-9]{3,4}", self.cvv):
            raise ValueError("card CVV must be 3 or 4 digits")

    @property
    def masked(self) -> str:
        """What may be shown and stored: ``411111******1111``."""
        return mask_card_number(self.number)

    def expired(self, year: int, month: int) -> bool:
        """True once the last day of the expiry month has passed."""
        exp_month, exp_year = int(self.expiry[:2]), 2000 + int(self.expiry[3:])
        return (year, month) > (exp_year, exp_month)

    def token(self, secret: bytes) -> str:
        """A keyed, irreversible token for the card: the same number and expiry, the same token.

        HMAC-SHA256 with the gateway's secret, so a stolen token table cannot be brute-forced
        back into card numbers without the key (a plain hash could: there are only ~10^15).
        The expiry is part of it, so a wrong expiry finds no card and is declined, as an issuer
        would; the CVV is not (it is never stored, not even hashed).
        """
        data = f"{self.number}|{self.expiry}".encode("ascii")
        return "tok_" + hmac.new(secret, data, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Wallet:
    """A stored-value account at the payment platform, named by its id (e.g. ``W-alice``)."""

    account: str

    def __post_init__(self) -> None:
        if not isinstance(self.account, str) or not re.fullmatch(r"W-[A-Za-z0-9_-]{1,40}", self.account):
            raise ValueError(
                'wallet account must look like "W-alice" (W- then up to 40 letters, digits, - or _)'
            )

    @property
    def masked(self) -> str:
        """Wallet ids are not secret in the same way, but are still shortened for display."""
        return self.account[:4] + "***" + self.account[-2:] if len(self.account) > 6 else self.account


PaymentMethod = Card | Wallet


def method_from_json(data: object) -> PaymentMethod:
    """Parse the payer object that travels in the envelope; strict about fields and types."""
    if not isinstance(data, dict):
        raise ValueError("payment method must be a JSON object")
    kind = data.get("type")
    if kind == "card":
        if set(data) != {"type", "number", "expiry", "cvv"}:
            raise ValueError('a card needs exactly "type", "number", "expiry" and "cvv"')
        return Card(data["number"], data["expiry"], data["cvv"])
    if kind == "wallet":
        if set(data) != {"type", "account"}:
            raise ValueError('a wallet needs exactly "type" and "account"')
        return Wallet(data["account"])
    raise ValueError('payment method "type" must be "card" or "wallet"')


def method_to_json(method: PaymentMethod) -> dict:
    """The payer object for the envelope (the only place the full card number is written)."""
    if isinstance(method, Card):
        return {"type": "card", "number": method.number, "expiry": method.expiry, "cvv": method.cvv}
    if isinstance(method, Wallet):
        return {"type": "wallet", "account": method.account}
    raise TypeError(f"unknown payment method {type(method).__name__}")
