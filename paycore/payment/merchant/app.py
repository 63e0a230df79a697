"""The e-commerce platform's HTTP API (FastAPI): the user's side of the seed article's flow.

Users create and pay orders here (steps 3.1 and 3.2); the merchant then talks to the gateway
(3.3) and applies its signed answer (3.6). The gateway's notifications arrive at
``/paycore/notify``, whose raw bytes are verified before they are parsed.

``X-User-Id`` names the caller. It stands in for a real login session, which is out of scope here:
never trust such a header in production.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import FastAPI, Header, Request
from fastapi.responses import Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant.notifications import NotificationInbox
from paycore.payment.merchant.service import Merchant
from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money
from paycore.payment.orders import LineItem
from paycore.payment.protocol import VERSION
from paycore.payment.protocol.schemas import AmountModel, Strict
from paycore.payment.web import install_error_handlers, received_headers, reply_response, request_target

UserId = Annotated[
    str,
    Header(alias="X-User-Id", pattern=r"^[A-Za-z0-9_-]{1,64}$", description="stand-in for a login session"),
]


class ItemIn(Strict):
    sku: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=1, max_length=80)
    quantity: int = Field(ge=1, le=999)
    unit_price: int = Field(gt=0, description="minor units")


class OrderIn(Strict):
    items: list[ItemIn] = Field(min_length=1, max_length=50)
    currency: str = Field(min_length=3, max_length=3, examples=["CNY"])


class CardIn(Strict):
    type: Literal["card"]
    number: str = Field(pattern=r"^[0-9]{12,19}$")
    expiry: str = Field(pattern=r"^(0[1-9]|1[0-2])/[0-9]{2}$")
    cvv: str = Field(pattern=r"^[0-9]{3,4}$")


class WalletIn(Strict):
    type: Literal["wallet"]
    account: str = Field(pattern=r"^W-[A-Za-z0-9_-]{1,40}$")


class PayIn(Strict):
    amount: AmountModel = Field(description="must equal the order's amount (step 3.2 checks it)")
    method: Annotated[CardIn | WalletIn, Field(discriminator="type")]


class RefundIn(Strict):
    amount: AmountModel
    reason: str = Field(default="", max_length=128)


def _method(method: CardIn | WalletIn) -> Card | Wallet:
    try:
        if isinstance(method, CardIn):
            return Card(method.number, method.expiry, method.cvv)
        return Wallet(method.account)
    except ValueError as exc:  # e.g. a Luhn failure; the message never repeats the number
        raise PaymentError(ErrorCode.INVALID_REQUEST, f"invalid payment method: {exc}") from None


def _money(amount: AmountModel) -> Money:
    try:
        return Money(amount.value, amount.currency)
    except ValueError as exc:
        raise PaymentError(ErrorCode.INVALID_REQUEST, f"invalid amount: {exc}") from None


def create_merchant_app(merchant: Merchant, inbox: NotificationInbox, notify_path: str) -> FastAPI:
    """The merchant's FastAPI app around a :class:`Merchant` service and its notification inbox."""
    app = FastAPI(
        title="paycore merchant",
        redirect_slashes=False,  # an API answers for itself: no redirect whose Location comes from Host
        version=VERSION,
        description="The e-commerce platform of the seed article (steps 3.1, 3.2, 3.3 and 3.6).",
    )
    install_error_handlers(app, strict_json=True, verify_first=(notify_path,))

    @app.post("/orders", status_code=201, summary="3.1 create an order")
    async def create_order(order: OrderIn, user: UserId) -> dict:
        items = [LineItem(item.sku, item.name, item.quantity, item.unit_price) for item in order.items]
        return await run_in_threadpool(merchant.create_order, user, items, order.currency)

    @app.get("/orders/{order_id}", summary="read an order")
    async def read_order(order_id: str, user: UserId) -> dict:
        return await run_in_threadpool(merchant.get_order, user, order_id)

    @app.post("/orders/{order_id}/pay", summary="3.2-3.6 pay an order")
    async def pay(order_id: str, payment: PayIn, user: UserId) -> dict:
        return await run_in_threadpool(
            merchant.pay, user, order_id, _money(payment.amount), _method(payment.method)
        )

    @app.post("/orders/{order_id}/cancel", summary="close an unpaid order")
    async def cancel(order_id: str, user: UserId) -> dict:
        return await run_in_threadpool(merchant.cancel_order, user, order_id)

    @app.post("/orders/{order_id}/refund", summary="refund a paid order, in full or in part")
    async def refund(order_id: str, body: RefundIn, user: UserId) -> dict:
        return await run_in_threadpool(merchant.refund, user, order_id, _money(body.amount), body.reason)

    @app.post(
        notify_path,
        summary="3.5 notifications from the gateway (signed)",
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {}}}},
    )
    async def notify(request: Request) -> Response:
        body = await request.body()
        answer = await run_in_threadpool(
            inbox.handle, request_target(request), received_headers(request), body
        )
        return reply_response(answer)

    @app.post("/admin/reconcile", summary="query the gateway about orders stuck in PAYING (operators only)")
    async def reconcile(token: Annotated[str | None, Header(alias="X-Admin-Token")] = None) -> dict:
        if token is None or not hmac.compare_digest(token.encode(), merchant.admin_token.encode()):
            raise PaymentError(
                ErrorCode.AUTHENTICATION_REQUIRED, "this operator endpoint needs the X-Admin-Token"
            )
        settled = await run_in_threadpool(merchant.reconcile)
        return {"reconciled": [{"order_id": order_id, "status": status} for order_id, status in settled]}

    @app.get("/healthz", summary="liveness")
    async def health() -> dict:
        return {"status": "ok", "merchant_id": merchant.merchant_id}

    return app
