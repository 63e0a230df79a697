"""The dialects' HTTP routes (FastAPI), at the paths the platforms' SDKs call.

Like the gateway's own app, each handler reads the body as bytes and the request target exactly as
sent, and hands both to its service untouched: the signatures cover those bytes. The services run
in the thread pool (they sign, verify and write to the database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from paycore.payment.gateway.dialects import cashier_page
from paycore.payment.gateway.dialects.cashier import CASHIER_PATH
from paycore.payment.gateway.dialects.wechatpay_models import TRADE_TYPES
from paycore.payment.protocol.wire import Reply
from paycore.payment.web import received_headers, reply_response, request_target

if TYPE_CHECKING:
    from paycore.payment.gateway.dialects import Dialects

WECHATPAY_SIGNED = {
    "description": "Signed by the platform: Wechatpay-* headers over timestamp, nonce and body."
}
ALIPAY_SIGNED = {"description": 'Signed JSON: {"<method>_response": {...}, "sign": ...}; always HTTP 200.'}


def _answer(reply: Reply) -> Response:
    if reply.status == 204:
        return Response(status_code=204, headers=dict(reply.headers))
    return reply_response(reply)


def wechatpay_router(dialects: Dialects) -> APIRouter:
    """WeChat Pay v3: orders, queries, close, refunds and the platform certificates."""
    service = dialects.wechatpay
    router = APIRouter(tags=["WeChat Pay v3 (simulated)"])

    def order_route(kind: str) -> None:
        @router.post(
            f"/v3/pay/transactions/{kind}", summary=f"{kind} order", responses={200: WECHATPAY_SIGNED}
        )
        async def order(request: Request) -> Response:
            body = await request.body()
            target, headers = request_target(request), received_headers(request)
            return _answer(await run_in_threadpool(service.handle_order, kind, target, headers, body))

    for kind in TRADE_TYPES:
        order_route(kind)

    @router.get("/v3/pay/transactions/out-trade-no/{out_trade_no}", summary="query by out_trade_no")
    async def query_by_number(out_trade_no: str, request: Request) -> Response:
        target, headers = request_target(request), received_headers(request)
        return _answer(
            await run_in_threadpool(service.handle_query, target, headers, out_trade_no=out_trade_no)
        )

    @router.get("/v3/pay/transactions/id/{transaction_id}", summary="query by transaction_id")
    async def query_by_id(transaction_id: str, request: Request) -> Response:
        target, headers = request_target(request), received_headers(request)
        return _answer(
            await run_in_threadpool(service.handle_query, target, headers, trade_id=transaction_id)
        )

    @router.post("/v3/pay/transactions/out-trade-no/{out_trade_no}/close", summary="close an unpaid order")
    async def close(out_trade_no: str, request: Request) -> Response:
        body = await request.body()
        target, headers = request_target(request), received_headers(request)
        return _answer(await run_in_threadpool(service.handle_close, out_trade_no, target, headers, body))

    @router.post("/v3/refund/domestic/refunds", summary="refund", responses={200: WECHATPAY_SIGNED})
    async def refund(request: Request) -> Response:
        body = await request.body()
        target, headers = request_target(request), received_headers(request)
        return _answer(await run_in_threadpool(service.handle_refund, target, headers, body))

    @router.get("/v3/refund/domestic/refunds/{out_refund_no}", summary="query a refund")
    async def refund_query(out_refund_no: str, request: Request) -> Response:
        target, headers = request_target(request), received_headers(request)
        return _answer(await run_in_threadpool(service.handle_refund_query, out_refund_no, target, headers))

    @router.get("/v3/certificates", summary="platform certificates (certificate mode)")
    async def certificates(request: Request) -> Response:
        target, headers = request_target(request), received_headers(request)
        return _answer(await run_in_threadpool(service.handle_certificates, target, headers))

    return router


def alipay_router(dialects: Dialects) -> APIRouter:
    """Alipay's open API: one endpoint, dispatching on ``method``."""
    service = dialects.alipay
    router = APIRouter(tags=["Alipay open API (simulated)"])

    @router.get("/gateway.do", summary="every alipay.trade.* method", responses={200: ALIPAY_SIGNED})
    async def gateway(request: Request) -> Response:
        query = request.scope.get("query_string", b"").decode("latin-1")
        reply = await run_in_threadpool(service.handle, query)
        if reply.status == 303:
            return Response(status_code=303, headers=dict(reply.headers))
        return Response(reply.body, status_code=reply.status, headers=dict(reply.headers))

    return router


def cashier_router(dialects: Dialects) -> APIRouter:
    """The payer's cashier: the page, paying with JSON, and wallets' one-time payment codes."""
    cashier = dialects.cashier
    router = APIRouter(tags=["cashier (the payer's page)"])

    @router.post(f"{CASHIER_PATH}/payment-code", summary="a wallet's one-time payment code")
    async def payment_code(request: Request) -> Response:
        body = await request.body()
        return reply_response(await run_in_threadpool(cashier.issue_payment_code, body))

    @router.get(f"{CASHIER_PATH}/{{token}}", summary="the cashier page", response_class=HTMLResponse)
    async def page(token: str) -> Response:
        view = await run_in_threadpool(cashier.open, token)
        if view is None:
            return HTMLResponse(cashier_page.not_found(), status_code=404, headers=cashier_page.HEADERS)
        return HTMLResponse(cashier_page.render(view, cashier.url(token)), headers=cashier_page.HEADERS)

    @router.post(f"{CASHIER_PATH}/{{token}}", summary='pay: {"method": {...}}')
    async def pay(token: str, request: Request) -> Response:
        body = await request.body()
        return reply_response(await run_in_threadpool(cashier.pay, token, body))

    return router


def routers(dialects: Dialects) -> list[APIRouter]:
    """Every dialect route, for :func:`paycore.payment.gateway.app.create_gateway_app`."""
    return [wechatpay_router(dialects), alipay_router(dialects), cashier_router(dialects)]
