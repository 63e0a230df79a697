"""The merchant API's JSON shapes: what a user sends (strict input models) and what it answers.

The input models parse requests (``/orders``, ``/pay``, ``/refund``) for the API and for the web
checkout alike, so both refuse the same things with the same words. The answer models document
the API in its OpenAPI pages; the tests check every answer against them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money
from paycore.payment.orders import LineItem, OrderStatus
from paycore.payment.protocol.schemas import (
    CURRENCY_DOC,
    MINOR_UNITS_DOC,
    AmountModel,
    CardIn,
    PaymentResource,
    RefundResource,
    Strict,
    WalletIn,
)

USER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
ORDER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
"""What an order id may look like in a path (the merchant makes ``ord_`` and 16 hex digits)."""


class ItemIn(Strict):
    sku: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=1, max_length=80)
    quantity: int = Field(ge=1, le=999)
    unit_price: int = Field(gt=0, description="minor units", json_schema_extra=MINOR_UNITS_DOC)


class OrderIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"sku": "TEA-1", "name": "Longjing green tea", "quantity": 2, "unit_price": 4990}
                    ],
                    "currency": "CNY",
                }
            ]
        }
    )

    items: list[ItemIn] = Field(min_length=1, max_length=50)
    currency: str = Field(min_length=3, max_length=3, examples=["CNY"], json_schema_extra=CURRENCY_DOC)

    def line_items(self) -> list[LineItem]:
        """The order's lines as the domain's :class:`~paycore.payment.orders.LineItem`."""
        return [LineItem(item.sku, item.name, item.quantity, item.unit_price) for item in self.items]


class PayIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "amount": {"value": 9980, "currency": "CNY"},
                    "method": {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"},
                },
                {
                    "amount": {"value": 9980, "currency": "CNY"},
                    "method": {"type": "wallet", "account": "W-alice"},
                },
            ]
        }
    )

    amount: AmountModel = Field(description="must equal the order's amount (step 3.2 checks it)")
    method: Annotated[CardIn | WalletIn, Field(discriminator="type")]

    def payment_method(self) -> Card | Wallet:
        """The domain's card or wallet; a card that fails Luhn is an ``INVALID_REQUEST`` refusal."""
        try:
            if isinstance(self.method, CardIn):
                return Card(self.method.number, self.method.expiry, self.method.cvv)
            return Wallet(self.method.account)
        except ValueError as exc:  # e.g. a Luhn failure; the message never repeats the number
            raise PaymentError(ErrorCode.INVALID_REQUEST, f"invalid payment method: {exc}") from None


class RefundIn(Strict):
    amount: AmountModel
    reason: str = Field(default="", max_length=128)


def money(amount: AmountModel) -> Money:
    """An amount from the wire as :class:`~paycore.payment.money.Money`, or an ``INVALID_REQUEST``."""
    try:
        return Money(amount.value, amount.currency)
    except ValueError as exc:
        raise PaymentError(ErrorCode.INVALID_REQUEST, f"invalid amount: {exc}") from None


# -- answers ----------------------------------------------------------------------------------------
class ItemOut(Strict):
    sku: str
    name: str
    quantity: int
    unit_price: int = Field(description="minor units")


class OrderOut(Strict):
    """An order as its owner sees it."""

    order_id: str
    status: OrderStatus
    amount: AmountModel = Field(description="computed by the merchant from its items, never sent by the user")
    items: list[ItemOut]
    created_at: int = Field(description="Unix seconds")
    expires_at: int = Field(description="Unix seconds; unpaid after this, the order closes")
    out_trade_no: str | None = Field(description="the current payment attempt's number at the gateway")
    payment_id: str | None
    payer: str | None = Field(description="masked: BIN and last four digits, or the wallet id")
    failure_code: str | None = Field(description="why the last attempt failed (a decline code)")
    paid_at: int | None
    refunded: int = Field(description="minor units refunded so far")


class NotificationIn(Strict):
    """A notification from the gateway: signed like a request, acknowledged with a 2xx."""

    event_id: str = Field(description="deduplicate by this: a notification may arrive more than once")
    type: Literal["payment.succeeded", "payment.failed", "refund.succeeded"]
    created_at: int
    data: PaymentResource | RefundResource = Field(
        description="a payment for `payment.*` events, a refund for `refund.succeeded`"
    )


class NotificationAck(Strict):
    code: Literal["SUCCESS"]
    duplicate: bool | None = Field(default=None, description="true when this event was already processed")


class Reconciled(Strict):
    order_id: str
    status: OrderStatus


class ReconcileOut(Strict):
    reconciled: list[Reconciled]


class HealthOut(Strict):
    status: Literal["ok"]
    merchant_id: str
