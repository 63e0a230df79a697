"""What both FastAPI apps share: a body-size limit and one JSON error format for every rejection.

Every rejection -- our own refusals, malformed JSON, wrong types, unknown routes, oversized
bodies, even an unexpected bug -- becomes ``{"error": {"code": ..., "message": ...}}`` with a
stable code. Messages name the problem and may repeat harmless values (an amount, a currency
code) to help, but never card data, keys or anything secret: validation messages are built
from the field name and the rule, without the input. No stack trace ever leaves the process.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.protocol.schemas import check_json_text, describe_problems
from paycore.payment.protocol.wire import Headers, Reply

MAX_BODY_BYTES = 64 * 1024
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
BODY_TIMEOUT = 10.0
"""Seconds a client has to send a whole body once its headers are in."""
logger = logging.getLogger("paycore.http")


def error_response(error: PaymentError, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON body of a refusal."""
    return JSONResponse(error.to_json(), status_code=error.status, headers=headers)


class RequestGuard:
    """ASGI middleware: every request's body is read whole, in time, small, and as JSON or not at all.

    * a body over ``limit`` bytes is refused with 413 (``Content-Length`` first, then while reading);
    * a body that has not fully arrived ``body_timeout`` seconds after the headers is refused with
      408: a client that drips its body one byte at a time holds a worker no longer than that;
    * a body must come as ``Content-Type: application/json`` (with at most ``charset=utf-8``),
      else 415 -- ``application/json-patch+json`` or ``charset=latin-1`` are other formats;
    * with ``strict_json``, a body that is not UTF-8 JSON, or names a key twice, is refused with 400
      before any handler reads it (paths in ``verify_first`` are left to their handler, which
      verifies a signature before it parses anything);
    * under the path prefixes in ``form_paths`` (the web checkout's pages) a body may also come as
      an HTML form, ``application/x-www-form-urlencoded``, which those handlers parse themselves.

    Refusals here are unsigned: nothing has been authenticated yet. The body is handed on whole;
    bodies are small JSON documents, so buffering them costs nothing.
    """

    def __init__(
        self,
        app,
        limit: int = MAX_BODY_BYTES,
        *,
        body_timeout: float | None = None,
        strict_json: bool = False,
        verify_first: tuple[str, ...] = (),
        form_paths: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.limit = limit
        self.body_timeout = body_timeout
        """Seconds for the body; ``None`` reads :data:`BODY_TIMEOUT` at each request (tests shorten it)."""
        self.strict_json = strict_json
        self.verify_first = verify_first
        self.form_paths = form_paths

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name: value for name, value in scope.get("headers", [])}
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, receive, send, self._too_large())
            return
        timeout = BODY_TIMEOUT if self.body_timeout is None else self.body_timeout
        try:
            body = await asyncio.wait_for(self._read(receive), timeout=timeout)
        except asyncio.TimeoutError:
            late = PaymentError(ErrorCode.REQUEST_TIMEOUT, f"the body did not arrive within {timeout:g} s")
            await self._refuse(scope, receive, send, late)
            return
        except _TooLarge:
            await self._refuse(scope, receive, send, self._too_large())
            return
        if body is None:
            return  # the client went away
        problem = self._problem(scope, headers.get(b"content-type"), body)
        if problem is not None:
            await self._refuse(scope, receive, send, problem)
            return
        delivered = False

        async def replay():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> PaymentError:
        return PaymentError(ErrorCode.PAYLOAD_TOO_LARGE, f"the body is over the {self.limit}-byte limit")

    async def _read(self, receive) -> bytes | None:
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                raise _TooLarge
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    def _problem(self, scope, content_type: bytes | None, body: bytes) -> PaymentError | None:
        if not body and content_type is None:
            return None  # POST /orders/{id}/cancel and the like carry nothing
        if self._is_form_path(scope.get("path", "")) and form_media_type(content_type):
            return None
        if not json_media_type(content_type):
            shown = (content_type or b"no Content-Type").decode("latin-1")[:60]
            return PaymentError(
                ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                f"send the body as JSON with Content-Type: application/json (got {shown})",
            )
        if self.strict_json and body and scope.get("path") not in self.verify_first:
            try:
                check_json_text(body)
            except PaymentError as refusal:
                return refusal
        return None

    def _is_form_path(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.form_paths)

    @staticmethod
    async def _refuse(scope, receive, send, error: PaymentError) -> None:
        await error_response(error)(scope, receive, send)


class _TooLarge(Exception):
    pass


def json_media_type(content_type: bytes | None) -> bool:
    """``application/json``, optionally with ``charset=utf-8``: the one media type the apps read.

    >>> json_media_type(b"application/json; charset=UTF-8"), json_media_type(b"application/json-patch+json")
    (True, False)
    """
    if content_type is None:
        return False
    media_type, _, parameters = content_type.decode("latin-1").partition(";")
    if media_type.strip().lower() != "application/json":
        return False
    for parameter in filter(None, (part.strip() for part in parameters.split(";"))):
        name, _, value = parameter.partition("=")
        if name.strip().lower() != "charset" or value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def form_media_type(content_type: bytes | None) -> bool:
    """``application/x-www-form-urlencoded`` (what an HTML form sends), with at most ``charset=utf-8``.

    >>> form_media_type(b"application/x-www-form-urlencoded"), form_media_type(b"multipart/form-data")
    (True, False)
    """
    if content_type is None:
        return False
    media_type, _, parameters = content_type.decode("latin-1").partition(";")
    return media_type.strip().lower() == "application/x-www-form-urlencoded" and all(
        name.strip().lower() == "charset" and value.strip().strip('"').lower() == "utf-8"
        for name, _, value in (part.strip().partition("=") for part in parameters.split(";") if part.strip())
    )


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


def install_error_handlers(
    app: FastAPI,
    *,
    strict_json: bool = False,
    verify_first: tuple[str, ...] = (),
    form_paths: tuple[str, ...] = (),
) -> None:
    """Map every failure to the JSON error format, and guard every request's body (:class:`RequestGuard`)."""

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
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            error = PaymentError(ErrorCode.NOT_FOUND, "no such endpoint")
        elif exc.status_code == 405:
            error = PaymentError(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed here")
            if allowed := allowed_methods(request):
                headers["Allow"] = allowed
        else:
            error = PaymentError(ErrorCode.INVALID_REQUEST, str(exc.detail), status=400)
        return error_response(error, headers=headers or None)

    app.add_middleware(
        RequestGuard, strict_json=strict_json, verify_first=verify_first, form_paths=form_paths
    )
    app.add_middleware(CatchAll, name=app.title)


def allowed_methods(request: Request) -> str:
    """Every method some route takes at the request's path, for a 405's ``Allow`` header: Starlette's
    names only the first route's, so ``/cashier/{token}`` (a GET and a POST route) said ``GET``."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in HTTP_METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    )


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
