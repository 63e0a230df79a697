"""The demo shop's goods, priced in integer fen, and the shopper's cart (kept in a cookie).

Prices are :class:`~paycore.payment.money.Money` -- integer minor units of CNY, shown as
``CNY 49.90`` -- because the merchant computes an order's amount from them and a float could not
hold 0.10 yuan exactly. The cart is a short cookie, ``TEA-1:2!CUP-1:1`` (SKU and quantity, only
SKUs of the catalogue), so the shop keeps no state of its own between pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paycore.payment.money import Money

CURRENCY = "CNY"
MAX_QUANTITY = 99
MAX_LINES = 20


@dataclass(frozen=True)
class Product:
    """One thing the shop sells: a SKU, its name in each language, and its price in fen."""

    sku: str
    names: dict[str, str]
    price: int

    @property
    def money(self) -> Money:
        return Money(self.price, CURRENCY)

    def name(self, language: str) -> str:
        return self.names.get(language, self.names["en"])


CATALOGUE: tuple[Product, ...] = (
    Product("TEA-1", {"en": "Longjing green tea, 100 g", "zh": "龙井绿茶 100 克"}, 4990),
    Product("TEA-2", {"en": "Tieguanyin oolong, 100 g", "zh": "铁观音乌龙茶 100 克"}, 6800),
    Product("TEA-3", {"en": "Pu'er tea cake, 357 g", "zh": "普洱茶饼 357 克"}, 12800),
    Product("CUP-1", {"en": "Celadon tea cup", "zh": "青瓷茶杯"}, 3500),
    Product("SET-1", {"en": "Gaiwan tea set", "zh": "盖碗茶具"}, 19900),
)
BY_SKU = {product.sku: product for product in CATALOGUE}
_LINE = re.compile(r"([A-Z0-9-]{1,16}):([0-9]{1,2})")


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def total(self) -> Money:
        return Money(self.product.price * self.quantity, CURRENCY)


class Cart:
    """What the shopper has picked: quantities by SKU, in the order they were added."""

    def __init__(self, quantities: dict[str, int] | None = None) -> None:
        self.quantities = dict(quantities or {})

    @classmethod
    def from_cookie(cls, value: str | None) -> Cart:
        """The cart a cookie holds; anything unreadable or unknown is left out, never an error."""
        quantities: dict[str, int] = {}
        for part in (value or "").split("!")[:MAX_LINES]:
            match = _LINE.fullmatch(part)
            if match and match[1] in BY_SKU and 1 <= int(match[2]) <= MAX_QUANTITY:
                quantities[match[1]] = int(match[2])
        return cls(quantities)

    def to_cookie(self) -> str:
        return "!".join(f"{sku}:{quantity}" for sku, quantity in self.quantities.items())

    def add(self, sku: str, quantity: int) -> None:
        """Add ``quantity`` of a catalogue SKU (up to :data:`MAX_QUANTITY` of each)."""
        if sku not in BY_SKU:
            raise ValueError("unknown product")
        self.quantities[sku] = max(1, min(MAX_QUANTITY, self.quantities.get(sku, 0) + quantity))

    def remove(self, sku: str) -> None:
        self.quantities.pop(sku, None)

    @property
    def lines(self) -> list[CartLine]:
        return [CartLine(BY_SKU[sku], quantity) for sku, quantity in self.quantities.items()]

    @property
    def total(self) -> Money | None:
        fen = sum(line.product.price * line.quantity for line in self.lines)
        return Money(fen, CURRENCY) if fen else None

    def order_document(self, language: str) -> dict:
        """The body of ``POST /orders`` for this cart: items and a currency, never a total."""
        return {
            "items": [
                {
                    "sku": line.product.sku,
                    "name": line.product.name(language),
                    "quantity": line.quantity,
                    "unit_price": line.product.price,
                }
                for line in self.lines
            ],
            "currency": CURRENCY,
        }
