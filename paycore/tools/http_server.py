"""The HTTP server ``paycore serve`` runs each party on: uvicorn, with limits for slow or greedy clients.

uvicorn closes idle keep-alive connections, but it waits for ever for the headers of a request that
a client sends one byte at a time -- 300 such half-sent requests held 300 connections open with
nothing to stop them. So:

* a request's line and headers must arrive within :data:`HEADER_TIMEOUT` seconds of the connection
  (or of the previous answer), else the server answers ``408 REQUEST_TIMEOUT`` and hangs up;
* its body must arrive within the apps' own ``BODY_TIMEOUT`` (:class:`paycore.payment.web.RequestGuard`);
* at most :data:`MAX_CONNECTIONS` connections are served at once; beyond that uvicorn answers 503;
* headers are capped at :data:`MAX_HEADER_BYTES`; idle keep-alive connections close after
  :data:`KEEP_ALIVE_SECONDS`.

Each answered request is one line of the ``paycore.requests`` log (:class:`RequestLog`): the
party, the method, the path, the status and the milliseconds it took -- never a query string, a
header or a body, which could carry card data or tokens.

Why h11 and asyncio, not ``uvicorn[standard]`` (httptools and uvloop): measured with one paycore
serve per variant on this project's 2-core machine, payments one at a time over loopback, in turns
(7 rounds of 20, load average 1.3-1.5): asyncio + h11 57.3 payments/s, uvloop + h11 57.6 (no
measurable gain), uvloop + httptools 62.6 (+9%). A payment spends its time in RSA, validation, JSON
and SQL, not in parsing HTTP; the 9% would cost a second implementation of the header deadline above
(httptools' protocol has other hooks) and two compiled dependencies. Where uvloop is installed
anyway, uvicorn picks it (``loop="auto"``) and the deadline still holds, since the protocol is ours.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

request_log = logging.getLogger("paycore.requests")
HEADER_TIMEOUT = 10.0
MAX_CONNECTIONS = 256
MAX_HEADER_BYTES = 16 * 1024
KEEP_ALIVE_SECONDS = 5


def _timeout_response(seconds: float) -> bytes:
    """The raw 408 answer: the JSON error format, then the connection closes."""
    body = json.dumps(
        {
            "error": {
                "code": "REQUEST_TIMEOUT",
                "message": f"the request headers did not arrive within {seconds:g} s",
            }
        },
        separators=(",", ":"),
    ).encode()
    head = "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    return f"{head}content-length: {len(body)}\r\n\r\n".encode() + body


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for each request's line and headers.

    A connection that started a request and stalled gets a 408 and is closed. One that sent
    nothing at all since its last answer is only closed: an idle keep-alive connection must not
    find an unasked-for 408 waiting, which a client could take as the answer to its next request.
    """

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._started = False  # bytes of a request line arrived since the last answer
        self._arm()

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._started = bool(data) or self._started
        if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._started = False
            self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self._started and self.conn.our_state is h11.IDLE:  # a stalled request: say why we hang up
            self.transport.write(_timeout_response(self.header_timeout))
        self.transport.close()


def _printable(path: str) -> str:
    """The path as a log may show it: anything unprintable escaped, so a path cannot forge a line."""
    return path if path.isprintable() else path.encode("unicode_escape").decode("ascii")


class RequestLog:
    """ASGI middleware: one log line per request, ``merchant  POST /orders 201 3.1 ms``."""

    def __init__(self, app, party: str) -> None:
        self.app = app
        self.party = party

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [0]

        async def noting_send(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                _log(self.party, scope, status[0], started)

        try:
            await self.app(scope, receive, noting_send)
        finally:
            if status[0] == 0:  # no answer at all: the client went away, or the app failed to start one
                _log(self.party, scope, 0, started)


def _log(party: str, scope, status: int, started: float) -> None:
    elapsed = (time.perf_counter() - started) * 1000
    request_log.info(
        "%-9s %s %s %s %.1f ms",
        party,
        scope.get("method", "?"),
        _printable(scope.get("path", "")),
        status or "-",
        elapsed,
    )


def server(app, host: str, port: int, party: str | None = None) -> uvicorn.Server:
    """A uvicorn server for one party's app, with the limits above (and a request log, if named)."""
    config = uvicorn.Config(
        RequestLog(app, party) if party else app,
        host=host,
        port=port,
        http=HeaderDeadlineProtocol,
        log_level="warning",
        limit_concurrency=MAX_CONNECTIONS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    return uvicorn.Server(config)
