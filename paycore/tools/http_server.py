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

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = 10.0
MAX_CONNECTIONS = 256
MAX_HEADER_BYTES = 16 * 1024
KEEP_ALIVE_SECONDS = 5

_TIMEOUT_BODY = json.dumps(
    {
        "error": {
            "code": "REQUEST_TIMEOUT",
            "message": f"the request headers did not arrive within {HEADER_TIMEOUT:g} s",
        }
    },
    separators=(",", ":"),
).encode()
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    + f"content-length: {len(_TIMEOUT_BODY)}\r\n\r\n".encode()
    + _TIMEOUT_BODY
)


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for each request's line and headers."""

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline: asyncio.TimerHandle | None = None
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
        if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self.conn.our_state is h11.IDLE:  # nothing sent on this cycle yet: say why we hang up
            self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()


def server(app, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server for one party's app, with the limits above."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=HeaderDeadlineProtocol,
        log_level="warning",
        limit_concurrency=MAX_CONNECTIONS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
    )
    return uvicorn.Server(config)
