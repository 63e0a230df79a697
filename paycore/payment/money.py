"""Money: an integer number of minor units and an ISO 4217 currency. Never a float.

``0.1 + 0.2 != 0.3`` in binary floating point, so an amount like 123.45 yuan is kept as 12345 fen.
The currency says how many minor units make a major one (2 for CNY and USD, 0 for JPY, 3 for
KWD); the amount is always a whole number of the smallest unit.
"""

from __future__ import annotations

from dataclasses import dataclass

# Active ISO 4217 codes and their minor-unit exponents (ISO 4217 list one, as published).
CURRENCY_EXPONENTS: dict[str, int] = {
    "AED": 2,
    "AUD": 2,
    "BHD": 3,
    "BRL": 2,
    "CAD": 2,
    "CHF": 2,
    "CLP": 0,
    "CNY": 2,
    "CZK": 2,
    "DKK": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "HUF": 2,
    "IDR": 2,
    "ILS": 2,
    "INR": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "MOP": 2,
    "MXN": 2,
    "MYR": 2,
    "NOK": 2,
    "NZD": 2,
    "OMR": 3,
    "PHP": 2,
    "PLN": 2,
    "SAR": 2,
    "SEK": 2,
    "SGD": 2,
    "THB": 2,
    "TND": 3,
    "TRY": 2,
    "TWD": 2,
    "USD": 2,
    "VND": 0,
    "ZAR": 2,
}

MAX_MINOR_UNITS = 10**12 - 1
"""The largest amount accepted: under 10^12 minor units (10 billion yuan), well inside int64 and
JavaScript's exact-integer range, so no party rounds it."""


@dataclass(frozen=True, order=False)
class Money:
    """A positive amount of one currency, in minor units.

    >>> Money(12345, "CNY")
    Money(12345, 'CNY')
    >>> str(Money(12345, "CNY")), str(Money(500, "JPY")), str(Money(1234, "KWD"))
    ('CNY 123.45', 'JPY 500', 'KWD 1.234')
    """

    minor_units: int
    currency: str

    def __post_init__(self) -> None:
        value, currency = self.minor_units, self.currency
        if isinstance(value, bool) or not isinstance(value, int):
            hint = (
                " (amounts are integers in minor units: 123.45 yuan is 12345)"
                if isinstance(value, float)
                else ""
            )
            raise TypeError(f"amount must be an int number of minor units, got {type(value).__name__}{hint}")
        if value <= 0:
            raise ValueError(f"amount must be positive, got {value}")
        if value > MAX_MINOR_UNITS:
            raise ValueError(f"amount {value} is over the limit of {MAX_MINOR_UNITS} minor units")
        if not isinstance(currency, str):
            raise TypeError(f"currency must be an ISO 4217 code string, got {type(currency).__name__}")
        if currency not in CURRENCY_EXPONENTS:
            raise ValueError(f"unknown currency {currency!r}: use an ISO 4217 code such as CNY, USD or EUR")

    @property
    def exponent(self) -> int:
        """How many decimal places the currency's major unit has."""
        return CURRENCY_EXPONENTS[self.currency]

    def __str__(self) -> str:
        exponent = self.exponent
        if exponent == 0:
            return f"{self.currency} {self.minor_units}"
        major, minor = divmod(self.minor_units, 10**exponent)
        return f"{self.currency} {major}.{minor:0{exponent}d}"

    def __repr__(self) -> str:
        return f"Money({self.minor_units}, {self.currency!r})"

    def to_json(self) -> dict:
        """The wire form: ``{"value": 12345, "currency": "CNY"}``."""
        return {"value": self.minor_units, "currency": self.currency}

    @classmethod
    def from_json(cls, data: object) -> Money:
        """Parse the wire form strictly: the value must be a JSON integer, not a float or string."""
        if not isinstance(data, dict) or set(data) != {"value", "currency"}:
            raise ValueError('amount must be an object with exactly "value" and "currency"')
        return cls(data["value"], data["currency"])

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor_units + other.minor_units, self.currency)
