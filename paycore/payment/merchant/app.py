"""The e-commerce platform's HTTP API (FastAPI): the user's side of the seed article's flow.

Users create and pay orders here (steps 3.1 and 3.2); the merchant then talks to the gateway
(3.3) and applies its signed answer (3.6). The gateway's notifications arrive at
``/paycore/notify``, whose raw bytes are verified before they are parsed. The web checkout at
``/shop`` (:mod:`.shop`) is a second face of the same service.

``X-User-Id`` names the caller. It stands in for a real login session, which is out of scope here:
never trust such a header in production.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import FastAPI, Header, Path, Request, Security
from fastapi.responses import Response
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from paycore.payment.apidocs import api_app
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant import models
from paycore.payment.merchant.notifications import NotificationInbox
from paycore.payment.merchant.service import Merchant
from paycore.payment.merchant.shop import install_shop
from paycore.payment.openapi import (
    APP_REFUSALS,
    PATH_REFUSALS,
    SIGNATURE_CHECKS,
    STRICT_JSON_REFUSALS,
    Refusals,
    request_body,
    signature_parameters,
    signature_scheme,
)
from paycore.payment.protocol import VERSION
from paycore.payment.protocol.wire import Link
from paycore.payment.web import install_error_handlers, received_headers, reply_response, request_target

UserId = Annotated[
    str,
    Header(alias="X-User-Id", pattern=models.USER_ID_PATTERN, description="stand-in for a login session"),
]
OrderId = Annotated[str, Path(pattern=models.ORDER_ID_PATTERN, description="as `POST /orders` answered")]
ADMIN_TOKEN = APIKeyHeader(
    name="X-Admin-Token",
    scheme_name="adminToken",
    description="the operator token `paycore serve` keeps in `merchant-admin.token`",
    auto_error=False,
)

E = ErrorCode
REFUSALS = Refusals(*APP_REFUSALS, *STRICT_JSON_REFUSALS)
USER = (E.INVALID_REQUEST, E.STORAGE_UNAVAILABLE)
"""Every user route: a missing or ill-formed ``X-User-Id`` or body (422); the database (503)."""
ORDER = (*USER, *PATH_REFUSALS, E.ORDER_NOT_FOUND)
"""Every route about one order: it must exist and be the caller's."""
GATEWAY_LINK = (E.GATEWAY_UNAVAILABLE, E.GATEWAY_RESPONSE_INVALID)
RESULT_CHECKS = (E.ORDER_NOT_FOUND, E.MERCHANT_MISMATCH, E.AMOUNT_MISMATCH)
"""Step 3.6's re-checks of a signed result that does not fit the order (an alert is raised)."""
PASSED_ON = (
    E.TIMESTAMP_OUT_OF_WINDOW,
    E.REPLAYED_NONCE,
    E.IDEMPOTENCY_KEY_REQUIRED,
    E.IDEMPOTENCY_KEY_REUSED,
    E.REQUEST_IN_PROGRESS,
    E.PAYMENT_NOT_FOUND,
    E.REFUND_NOT_ALLOWED,
)
"""The gateway's signed refusals of a refund, which the merchant passes on to its user as they are."""


def _order(description: str, status: int = 200, links: dict | None = None) -> dict:
    answer = {"model": models.OrderOut, "description": description}
    return {str(status): {**answer, "links": links} if links else answer}


def _next(operation_id: str, description: str) -> dict:
    """An OpenAPI link from a new order to an operation on it, by the same user (for readers and fuzzers)."""
    return {
        "operationId": operation_id,
        "description": description,
        "parameters": {
            "order_id": "$response.body#/order_id",
            "header.X-User-Id": "$request.header.X-User-Id",
        },
    }


NEW_ORDER_LINKS = {
    "ReadOrder": _next("read_order", "read the order"),
    "PayOrder": _next("pay_order", "pay it (step 3.2 on)"),
    "CancelOrder": _next("cancel_order", "close it unpaid"),
    "RefundOrder": _next("refund_order", "refund it once paid"),
}


def create_merchant_app(
    merchant: Merchant,
    inbox: NotificationInbox,
    notify_path: str,
    *,
    wire_log=None,
    link: Link | None = None,
) -> FastAPI:
    """The merchant's FastAPI app around a :class:`Merchant` service and its notification inbox.

    ``wire_log`` (what crossed the wire, by order) and ``link`` (the merchant's own way to the
    gateway) let the web checkout show a payment's six steps and stage the replay and tamper demos.
    """
    app = api_app(
        title="paycore merchant",
        redirect_slashes=False,  # an API answers for itself: no redirect whose Location comes from Host
        version=VERSION,
        description="The e-commerce platform of the seed article (steps 3.1, 3.2, 3.3 and 3.6). Every "
        'refusal is `{"error": {"code", "message"}}`; each route lists the codes it can answer. '
        "The web checkout is at [/shop](/shop).",
        security_schemes={
            "gatewaySignature": signature_scheme(
                "the gateway", "Notifications are signed by the gateway, and verified before they are read."
            )
        },
    )
    install_error_handlers(app, strict_json=True, verify_first=(notify_path,), form_paths=("/shop",))

    @app.post(
        "/orders",
        status_code=201,
        summary="3.1 create an order",
        operation_id="create_order",
        response_model=None,
        responses=REFUSALS.responses(*USER, **_order("the new order, CREATED", 201, NEW_ORDER_LINKS)),
    )
    async def create_order(order: models.OrderIn, user: UserId) -> dict:
        return await run_in_threadpool(merchant.create_order, user, order.line_items(), order.currency)

    @app.get(
        "/orders/{order_id}",
        summary="read an order",
        operation_id="read_order",
        response_model=None,
        responses=REFUSALS.responses(*ORDER, **_order("the order")),
    )
    async def read_order(order_id: OrderId, user: UserId) -> dict:
        return await run_in_threadpool(merchant.get_order, user, order_id)

    @app.post(
        "/orders/{order_id}/pay",
        summary="3.2-3.6 pay an order",
        operation_id="pay_order",
        response_model=None,
        responses=REFUSALS.responses(
            *ORDER,
            E.ORDER_NOT_PAYABLE,
            E.ORDER_EXPIRED,
            E.AMOUNT_MISMATCH,
            *GATEWAY_LINK,
            *RESULT_CHECKS,
            **_order("the order after the gateway's signed answer: PAID, FAILED (declined), or PAYING"),
        ),
    )
    async def pay(order_id: OrderId, payment: models.PayIn, user: UserId) -> dict:
        return await run_in_threadpool(
            merchant.pay, user, order_id, models.money(payment.amount), payment.payment_method()
        )

    @app.post(
        "/orders/{order_id}/cancel",
        summary="close an unpaid order",
        operation_id="cancel_order",
        response_model=None,
        responses=REFUSALS.responses(*ORDER, E.ORDER_NOT_PAYABLE, **_order("the order, CLOSED")),
    )
    async def cancel(order_id: OrderId, user: UserId) -> dict:
        return await run_in_threadpool(merchant.cancel_order, user, order_id)

    @app.post(
        "/orders/{order_id}/refund",
        summary="refund a paid order, in full or in part",
        operation_id="refund_order",
        response_model=None,
        responses=REFUSALS.responses(
            *ORDER,
            *GATEWAY_LINK,
            *RESULT_CHECKS,
            *PASSED_ON,
            **_order("the order, PARTIALLY_REFUNDED or REFUNDED"),
        ),
    )
    async def refund(order_id: OrderId, body: models.RefundIn, user: UserId) -> dict:
        return await run_in_threadpool(
            merchant.refund, user, order_id, models.money(body.amount), body.reason
        )

    @app.post(
        notify_path,
        summary="3.5 notifications from the gateway (signed)",
        response_model=None,
        responses=REFUSALS.responses(
            *SIGNATURE_CHECKS,
            E.INVALID_REQUEST,
            E.ORDER_NOT_PAYABLE,
            E.STORAGE_UNAVAILABLE,
            *RESULT_CHECKS,
            **{"200": {"model": models.NotificationAck, "description": "processed, or a duplicate"}},
        ),
        openapi_extra={
            "parameters": signature_parameters("signed by the gateway"),
            "security": [{"gatewaySignature": []}],
            **request_body(models.NotificationIn, description="the gateway's event, signed as sent"),
        },
    )
    async def notify(request: Request) -> Response:
        body = await request.body()
        answer = await run_in_threadpool(
            inbox.handle, request_target(request), received_headers(request), body
        )
        return reply_response(answer)

    @app.post(
        "/admin/reconcile",
        summary="query the gateway about orders stuck in PAYING (operators only)",
        response_model=None,
        responses=REFUSALS.responses(
            E.AUTHENTICATION_REQUIRED,
            E.STORAGE_UNAVAILABLE,
            *RESULT_CHECKS,
            **{"200": {"model": models.ReconcileOut, "description": "the orders settled, with their status"}},
        ),
    )
    async def reconcile(token: Annotated[str | None, Security(ADMIN_TOKEN)]) -> dict:
        if token is None or not hmac.compare_digest(token.encode(), merchant.admin_token.encode()):
            raise PaymentError(
                ErrorCode.AUTHENTICATION_REQUIRED, "this operator endpoint needs the X-Admin-Token"
            )
        settled = await run_in_threadpool(merchant.reconcile)
        return {"reconciled": [{"order_id": order_id, "status": status} for order_id, status in settled]}

    @app.get(
        "/healthz",
        summary="liveness",
        response_model=None,
        responses=REFUSALS.responses(**{"200": {"model": models.HealthOut, "description": "alive"}}),
    )
    async def health() -> dict:
        return {"status": "ok", "merchant_id": merchant.merchant_id}

    install_shop(app, merchant, wire_log=wire_log, link=link)
    return app
