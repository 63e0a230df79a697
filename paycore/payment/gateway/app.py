"""The payment platform's HTTP API (FastAPI), a thin adapter around the gateway's service.

The handlers read the body as bytes and pass it on untouched, because the signature covers the
exact bytes and must be checked before anything is parsed. The request models appear in the
OpenAPI pages (``/docs``) for reading, not for parsing.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from paycore.payment.gateway.service import Gateway
from paycore.payment.protocol import PAYMENTS_PATH, REFUNDS_PATH, VERSION, schemas
from paycore.payment.web import install_error_handlers, received_headers, reply_response, request_target

SIGNED = {
    "description": "Signed by the gateway (Paycore-Signature headers over status, request nonce, timestamp, "
    "nonce and body hash). Errors use the same signed JSON error format.",
}


def _body_doc(model: type) -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


def create_gateway_app(gateway: Gateway, routers: Iterable[APIRouter] = ()) -> FastAPI:
    """The gateway's FastAPI app around a :class:`Gateway` service.

    ``routers`` adds more APIs beside ``paycore/1``: the platform dialects' (:mod:`.dialects`).
    """
    app = FastAPI(
        title="paycore gateway",
        redirect_slashes=False,  # an API answers for itself: no redirect whose Location comes from Host
        version=VERSION,
        description="The payment platform of the seed article (steps 3.4 and 3.5). Every request must "
        "be signed by a registered merchant key; see docs/PROTOCOL.md.",
    )
    install_error_handlers(app)

    @app.post(
        PAYMENTS_PATH,
        summary="3.4 take a payment",
        openapi_extra=_body_doc(schemas.PaymentRequest),
        responses={200: {"model": schemas.PaymentResource, **SIGNED}},
    )
    async def create_payment(request: Request) -> Response:
        body = await request.body()
        return reply_response(
            await run_in_threadpool(gateway.handle_payment, received_headers(request), body)
        )

    @app.get(
        PAYMENTS_PATH + "/{out_trade_no}",
        summary="query a payment (reconciliation)",
        responses={200: {"model": schemas.PaymentResource, **SIGNED}},
    )
    async def query_payment(out_trade_no: str, request: Request) -> Response:
        answer = await run_in_threadpool(
            gateway.handle_query, request_target(request), received_headers(request), out_trade_no
        )
        return reply_response(answer)

    @app.post(
        REFUNDS_PATH,
        summary="refund a payment, in full or in part",
        openapi_extra=_body_doc(schemas.RefundRequest),
        responses={200: {"model": schemas.RefundResource, **SIGNED}},
    )
    async def create_refund(request: Request) -> Response:
        body = await request.body()
        answer = await run_in_threadpool(
            gateway.handle_refund, received_headers(request), body, target=request_target(request)
        )
        return reply_response(answer)

    @app.get("/healthz", summary="liveness, and the ids of the gateway's two keys")
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
