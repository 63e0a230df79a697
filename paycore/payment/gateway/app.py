"""The payment platform's HTTP API (FastAPI), a thin adapter around the gateway's service.

The handlers read the body as bytes and pass it on untouched, because the signature covers the
exact bytes and must be checked before anything is parsed. The request models appear in the
OpenAPI pages (``/docs``) for reading, not for parsing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from paycore.payment.apidocs import api_app
from paycore.payment.errors import ErrorCode as E
from paycore.payment.gateway.service import Gateway
from paycore.payment.openapi import (
    APP_REFUSALS,
    IDEMPOTENCY_PARAMETER,
    PATH_REFUSALS,
    SIGNATURE_CHECKS,
    Refusals,
    request_body,
    signature_parameters,
    signature_response_headers,
    signature_scheme,
)
from paycore.payment.protocol import PAYMENTS_PATH, REFUNDS_PATH, VERSION, schemas
from paycore.payment.web import install_error_handlers, received_headers, reply_response, request_target

REFUSALS = Refusals(
    *APP_REFUSALS,
    headers=signature_response_headers(
        required=False,
        when="; present when the refusal is signed: every refusal after the signature checked out",
    ),
)
SIGNED_REQUEST = (*SIGNATURE_CHECKS, E.STORAGE_UNAVAILABLE)
"""What every signed request may be refused with: the verifier's checks, and the database (503)."""
IDEMPOTENT_POST = (
    *SIGNED_REQUEST,
    E.IDEMPOTENCY_KEY_REQUIRED,
    (E.INVALID_REQUEST, 400),  # an ill-formed or repeated Idempotency-Key
    E.IDEMPOTENCY_KEY_REUSED,
    E.REQUEST_IN_PROGRESS,
    E.MALFORMED_JSON,
    E.DUPLICATE_JSON_KEY,
    E.INVALID_REQUEST,
    E.MERCHANT_MISMATCH,
)
"""What both POSTs may be refused with before their own work starts."""


_KEY_ID = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
HEALTH = {
    "application/json": {
        "schema": {
            "type": "object",
            "additionalProperties": False,
            "required": ["status", "key_id", "signing_key_id", "encryption_key_id"],
            "properties": {
                "status": {"const": "ok"},
                "key_id": {**_KEY_ID, "description": "the signing key's id (the older name)"},
                "signing_key_id": {**_KEY_ID, "description": "every answer and notification names it"},
                "encryption_key_id": {**_KEY_ID, "description": "every payer envelope names it"},
            },
        }
    }
}


def _signed(model: type, description: str) -> dict:
    return {
        "200": {
            "model": model,
            "description": f"{description}, signed by the gateway (over the status, the request's nonce, "
            "a timestamp, its own nonce and the body's hash), bound to this request",
            "headers": signature_response_headers(required=True),
        }
    }


def _signed_request(*, idempotent: bool, body: type | None = None) -> dict:
    extra: dict = {
        "parameters": [
            *signature_parameters("signed by the merchant"),
            *([IDEMPOTENCY_PARAMETER] if idempotent else []),
        ],
        "security": [{"merchantSignature": []}],
    }
    if body is not None:
        extra.update(request_body(body, description="signed as sent: the signature covers these exact bytes"))
    return extra


def create_gateway_app(
    gateway: Gateway, routers: Iterable[APIRouter] = (), security_schemes: dict[str, dict] | None = None
) -> FastAPI:
    """The gateway's FastAPI app around a :class:`Gateway` service.

    ``routers`` adds more APIs beside ``paycore/1``: the platform dialects' (:mod:`.dialects`), whose
    ``security_schemes`` their operations name.
    """
    app = api_app(
        title="paycore gateway",
        redirect_slashes=False,  # an API answers for itself: no redirect whose Location comes from Host
        version=VERSION,
        description="The payment platform of the seed article (steps 3.4 and 3.5). Every request must "
        "be signed by a registered merchant key; see docs/PROTOCOL.md. Every refusal is "
        '`{"error": {"code", "message"}}`; each route lists the codes it can answer.',
        security_schemes={
            "merchantSignature": signature_scheme(
                "a registered merchant", "Every request is signed, and verified before it is read."
            ),
            **(security_schemes or {}),
        },
    )
    install_error_handlers(app)

    @app.post(
        PAYMENTS_PATH,
        summary="3.4 take a payment",
        response_model=None,
        openapi_extra=_signed_request(idempotent=True, body=schemas.PaymentRequest),
        responses=REFUSALS.responses(
            *IDEMPOTENT_POST,
            E.PAYER_UNREADABLE,
            E.NOTIFY_URL_NOT_ALLOWED,
            E.DUPLICATE_OUT_TRADE_NO,
            **_signed(schemas.PaymentResource, "the payment: SUCCEEDED, or FAILED with a decline code"),
        ),
    )
    async def create_payment(request: Request) -> Response:
        body = await request.body()
        answer = await run_in_threadpool(
            gateway.handle_payment, received_headers(request), body, target=request_target(request)
        )
        return reply_response(answer)

    @app.get(
        PAYMENTS_PATH + "/{out_trade_no}",
        summary="query a payment (reconciliation)",
        response_model=None,
        openapi_extra=_signed_request(idempotent=False),
        responses=REFUSALS.responses(
            *SIGNED_REQUEST,
            *PATH_REFUSALS,
            E.PAYMENT_NOT_FOUND,
            **_signed(schemas.PaymentResource, "the payment"),
        ),
    )
    async def query_payment(
        out_trade_no: Annotated[str, Path(description="the merchant's number of the attempt")],
        request: Request,
    ) -> Response:
        answer = await run_in_threadpool(
            gateway.handle_query, request_target(request), received_headers(request), out_trade_no
        )
        return reply_response(answer)

    @app.post(
        REFUNDS_PATH,
        summary="refund a payment, in full or in part",
        response_model=None,
        openapi_extra=_signed_request(idempotent=True, body=schemas.RefundRequest),
        responses=REFUSALS.responses(
            *IDEMPOTENT_POST,
            E.PAYMENT_NOT_FOUND,
            E.REFUND_NOT_ALLOWED,
            **_signed(schemas.RefundResource, "the refund, SUCCEEDED"),
        ),
    )
    async def create_refund(request: Request) -> Response:
        body = await request.body()
        answer = await run_in_threadpool(
            gateway.handle_refund, received_headers(request), body, target=request_target(request)
        )
        return reply_response(answer)

    @app.get(
        "/healthz",
        summary="liveness, and the ids of the gateway's two keys",
        response_model=None,
        responses=REFUSALS.responses(**{"200": {"description": "alive", "content": HEALTH}}),
    )
    async def health() -> dict:
        return {
            "status": "ok",
            "key_id": gateway.key_id,
            "signing_key_id": gateway.key_id,
            "encryption_key_id": gateway.encryption_key_id,
        }

    for router in routers:
        app.include_router(router)
    return app
