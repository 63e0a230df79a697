"""The dialects' HTTP routes (FastAPI), at the paths the platforms' SDKs call.

Like the gateway's own app, each handler reads the body as bytes and the request target exactly as
sent, and hands both to its service untouched: the signatures cover those bytes. The services run
in the thread pool (they sign, verify and write to the database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from paycore.payment.gateway.dialects import alipay_openapi, cashier_page
from paycore.payment.gateway.dialects import cashier_openapi as cashier_doc
from paycore.payment.gateway.dialects import wechatpay_openapi as wechat_doc
from paycore.payment.gateway.dialects.cashier import CASHIER_PATH
from paycore.payment.gateway.dialects.wechatpay_models import TRADE_TYPES
from paycore.payment.protocol.wire import Reply
from paycore.payment.web import received_headers, reply_response, request_target

if TYPE_CHECKING:
    from paycore.payment.gateway.dialects import Dialects


def _answer(reply: Reply) -> Response:
    if reply.status == 204:
        return Response(status_code=204, headers=dict(reply.headers))
    return reply_response(reply)


def _path(description: str, schema: dict):
    """A path parameter documented with ``schema``: the service, not FastAPI, answers any other value."""
    return Path(description=description, json_schema_extra=schema)


OutTradeNo = Annotated[str, _path("the merchant's order number", wechat_doc.OUT_TRADE_NO)]
TransactionId = Annotated[str, _path("the platform's number of the order", wechat_doc.TRANSACTION_ID)]
OutRefundNo = Annotated[str, _path("the merchant's refund number", wechat_doc.OUT_REFUND_NO)]
Token = Annotated[str, _path("the trade's cashier token", cashier_doc.TOKEN)]


class CashierToken(StringConvertor):
    """A path segment that is not ``payment-code``: that path is the payment-code route's, POST only,
    so a GET there is a 405 (``Allow: POST``), not the page of an order named ``payment-code``."""

    regex = "(?!payment-code$)[^/]+"


register_url_convertor("cashier_token", CashierToken())


def wechatpay_router(dialects: Dialects) -> APIRouter:
    """WeChat Pay v3: orders, queries, close, refunds and the platform certificates."""
    service = dialects.wechatpay
    router = APIRouter(tags=["WeChat Pay v3 (simulated)"])
    doc = wechat_doc

    def order_route(kind: str, trade_type: str) -> None:
        @router.post(
            f"/v3/pay/transactions/{kind}",
            summary=f"a {trade_type} order, waiting for the payer",
            response_model=None,
            openapi_extra=doc.request(body=doc.order_body(trade_type)),
            responses=doc.responses(
                "PARAM_ERROR",
                "APPID_MCHID_NOT_MATCH",
                "ORDERPAID",
                "ORDER_CLOSED",
                "OUT_TRADE_NO_USED",
                **{"200": doc.order_answer(trade_type)},
            ),
        )
        async def order(request: Request) -> Response:
            body = await request.body()
            target, headers = request_target(request), received_headers(request)
            return _answer(await run_in_threadpool(service.handle_order, kind, target, headers, body))

    for kind, trade_type in TRADE_TYPES.items():
        order_route(kind, trade_type)

    query = {
        "response_model": None,
        "openapi_extra": doc.request(query=[doc.MCHID_QUERY]),
        "responses": doc.responses(
            "PARAM_ERROR", "ORDER_NOT_EXIST", path=True, **doc.signed(doc.TRANSACTION, "the transaction")
        ),
    }

    @router.get("/v3/pay/transactions/out-trade-no/{out_trade_no}", summary="query by out_trade_no", **query)
    async def query_by_number(out_trade_no: OutTradeNo, request: Request) -> Response:
        target, headers = request_target(request), received_headers(request)
        return _answer(
            await run_in_threadpool(service.handle_query, target, headers, out_trade_no=out_trade_no)
        )

    @router.get("/v3/pay/transactions/id/{transaction_id}", summary="query by transaction_id", **query)
    async def query_by_id(transaction_id: TransactionId, request: Request) -> Response:
        target, headers = request_target(request), received_headers(request)
        return _answer(
            await run_in_threadpool(service.handle_query, target, headers, trade_id=transaction_id)
        )

    @router.post(
        "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
        summary="close an unpaid order",
        status_code=204,
        response_model=None,
        openapi_extra=doc.request(body=doc.models.CloseRequest.model_json_schema()),
        responses=doc.responses("PARAM_ERROR", "ORDERPAID", "ORDER_NOT_EXIST", path=True, **doc.CLOSED),
    )
    async def close(out_trade_no: OutTradeNo, request: Request) -> Response:
        body = await request.body()
        target, headers = request_target(request), received_headers(request)
        return _answer(await run_in_threadpool(service.handle_close, out_trade_no, target, headers, body))

    @router.post(
        "/v3/refund/domestic/refunds",
        summary="refund a paid order, in full or in part",
        response_model=None,
        openapi_extra=doc.request(body=doc.refund_body()),
        responses=doc.responses(
            "PARAM_ERROR",
            "INVALID_REQUEST",
            "NOT_ENOUGH",
            "RESOURCE_NOT_EXISTS",
            **doc.signed(doc.REFUND, "the refund"),
        ),
    )
    async def refund(request: Request) -> Response:
        body = await request.body()
        target, headers = request_target(request), received_headers(request)
        return _answer(await run_in_threadpool(service.handle_refund, target, headers, body))

    @router.get(
        "/v3/refund/domestic/refunds/{out_refund_no}",
        summary="query a refund",
        response_model=None,
        openapi_extra=doc.request(),
        responses=doc.responses("RESOURCE_NOT_EXISTS", path=True, **doc.signed(doc.REFUND, "the refund")),
    )
    async def refund_query(out_refund_no: OutRefundNo, request: Request) -> Response:
        target, headers = request_target(request), received_headers(request)
        return _answer(await run_in_threadpool(service.handle_refund_query, out_refund_no, target, headers))

    @router.get(
        "/v3/certificates",
        summary="platform certificates (certificate mode)",
        response_model=None,
        openapi_extra=doc.request(),
        responses=doc.responses(
            **doc.signed(doc.CERTIFICATES, "the platform certificate, encrypted under the caller's APIv3 key")
        ),
    )
    async def certificates(request: Request) -> Response:
        target, headers = request_target(request), received_headers(request)
        return _answer(await run_in_threadpool(service.handle_certificates, target, headers))

    return router


def alipay_router(dialects: Dialects) -> APIRouter:
    """Alipay's open API: one endpoint, dispatching on ``method``."""
    service = dialects.alipay
    router = APIRouter(tags=["Alipay open API (simulated)"])

    @router.get(
        "/gateway.do",
        summary="every alipay.trade.* method; always HTTP 200, refusals inside",
        response_model=None,
        openapi_extra={"parameters": alipay_openapi.PARAMETERS},
        responses=alipay_openapi.RESPONSES,
    )
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

    @router.post(
        f"{CASHIER_PATH}/payment-code",
        summary="a wallet's one-time payment code",
        response_model=None,
        openapi_extra=cashier_doc.CODE_BODY,
        responses=cashier_doc.CODE_RESPONSES,
    )
    async def payment_code(request: Request) -> Response:
        body = await request.body()
        return reply_response(await run_in_threadpool(cashier.issue_payment_code, body))

    @router.get(
        f"{CASHIER_PATH}/{{token:cashier_token}}",
        summary="the cashier page",
        response_class=HTMLResponse,
        responses=cashier_doc.PAGE_RESPONSES,
    )
    async def page(token: Token) -> Response:
        view = await run_in_threadpool(cashier.open, token)
        if view is None:
            return HTMLResponse(cashier_page.not_found(), status_code=404, headers=cashier_page.HEADERS)
        return HTMLResponse(cashier_page.render(view, cashier.url(token)), headers=cashier_page.HEADERS)

    @router.post(
        f"{CASHIER_PATH}/{{token:cashier_token}}",
        summary='pay: {"method": {...}}',
        response_model=None,
        openapi_extra=cashier_doc.PAY_BODY,
        responses=cashier_doc.PAY_RESPONSES,
    )
    async def pay(token: Token, request: Request) -> Response:
        body = await request.body()
        return reply_response(await run_in_threadpool(cashier.pay, token, body))

    return router


def routers(dialects: Dialects) -> list[APIRouter]:
    """Every dialect route, for :func:`paycore.payment.gateway.app.create_gateway_app`."""
    return [wechatpay_router(dialects), alipay_router(dialects), cashier_router(dialects)]
