"""What both FastAPI apps share: a body-size limit and one JSON error format for every rejection.

Every rejection -- our own refusals, malformed JSON, wrong types, unknown routes, oversized
bodies, even an unexpected bug -- becomes ``{"error": {"code": ..., "message": ...}}`` with a
stable code. Messages name the problem and may repeat harmless values (an amount, a currency
code) to help, but never card data, keys or anything secret: validation messages are built
from the field name and the rule, without the input. No stack trace ever leaves the process.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.protocol.schemas import describe_problems
from paycore.payment.protocol.wire import Headers, Reply

MAX_BODY_BYTES = 64 * 1024
logger = logging.getLogger("paycore.http")


def error_response(error: PaymentError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON body of a refusal."""
    return JSONResponse(error.to_json(), status_code=error.status, headers=headers)


class BodySizeLimit:
    """ASGI middleware: refuse bodies over ``limit`` bytes with 413 before the app sees them.

    Checks ``Content-Length`` first, then reads the body (streamed or not) up to the limit and
    hands it on whole; bodies are small JSON documents, so buffering them costs nothing.
    """

    def __init__(self, app, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = error_response(
            PaymentError(ErrorCode.PAYLOAD_TOO_LARGE, f"the body is over the {self.limit}-byte limit")
        )
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await too_large(scope, receive, send)
                return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        delivered = False

        async def replay():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class CatchAll:
    """ASGI middleware: an unexpected exception becomes a plain 500 JSON error.

    The log line names the exception type and where it happened, never values (which could be
    secrets) and no stack trace; the response says only "internal error".
    """

    def __init__(self, app, name: str) -> None:
        self.app = app
        self.name = name

    async def __call__(self, scope, receive, send) -> None:
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            frame = exc.__traceback__
            while frame is not None and frame.tb_next is not None:
                frame = frame.tb_next
            where = (
                f"{frame.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.tb_lineno}" if frame else "?"
            )
            logger.error("%s: unexpected %s at %s", self.name, type(exc).__name__, where)
            if scope["type"] == "http" and not started:
                await error_response(PaymentError(ErrorCode.INTERNAL_ERROR, "internal error"))(
                    scope, receive, send
                )


def install_error_handlers(app: FastAPI) -> None:
    """Map every failure to the JSON error format, and limit body sizes."""

    @app.exception_handler(PaymentError)
    async def payment_error(_request: Request, exc: PaymentError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        if any(problem.get("type") == "json_invalid" for problem in problems):
            return error_response(PaymentError(ErrorCode.MALFORMED_JSON, "the body is not valid JSON"))
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json" and any(tuple(p.get("loc", ())) == ("body",) for p in problems):
            return error_response(
                PaymentError(
                    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "send the body as JSON with Content-Type: application/json "
                    f"(got {media_type or 'no Content-Type'})",
                )
            )
        return error_response(
            PaymentError(ErrorCode.INVALID_REQUEST, f"invalid request: {describe_problems(problems)}")
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            error = PaymentError(ErrorCode.NOT_FOUND, "no such endpoint")
        elif exc.status_code == 405:
            error = PaymentError(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed here")
        else:
            error = PaymentError(ErrorCode.INVALID_REQUEST, str(exc.detail), status=400)
        return error_response(error, headers=exc.headers)  # a 405 keeps its Allow header

    app.add_middleware(BodySizeLimit)
    app.add_middleware(CatchAll, name=app.title)


def request_target(request: Request) -> str:
    """The path and query exactly as the client sent them (what a signature covers)."""
    path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    return path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


def received_headers(request: Request) -> Headers:
    """The request's headers with every value kept (a repeated header stays visible to the checks)."""
    return Headers(request.headers.items())


def reply_response(reply: Reply) -> Response:
    """A service's :class:`~.protocol.wire.Reply` as the app's HTTP response, its bytes untouched."""
    return Response(
        content=reply.body,
        status_code=reply.status,
        headers=dict(reply.headers),
        media_type="application/json",
    )
