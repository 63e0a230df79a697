"""The wire log: what crossed the wire between the parties, kept for the tours, notebooks and the shop.

A :class:`RecordingLink` wraps any link and writes one :class:`WireRecord` per request into a
:class:`WireLog` -- the exact headers and body bytes sent, the signed canonical string rebuilt from
them, and the reply (or why there was none). The services know nothing of it: the log is a view
of the traffic, added where the parties are wired together.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from paycore.payment.protocol import NONCE, PAYMENTS_PATH, REFUNDS_PATH, TIMESTAMP
from paycore.payment.protocol.signing import canonical_request, canonical_response
from paycore.payment.protocol.wire import Headers, Link, LinkError, Reply, decode_json_object

WIRE_LOG_SIZE = 50


def step_label(method: str, path: str) -> str:
    """Which step of the flow a request is, named for a reader.

    >>> step_label("POST", "/v1/payments"), step_label("GET", "/v1/payments/ord_1-1")
    ('3.3 payment request', 'reconcile query')
    """
    if method == "POST" and path == PAYMENTS_PATH:
        return "3.3 payment request"
    if method == "GET" and path.startswith(PAYMENTS_PATH + "/"):
        return "reconcile query"
    if method == "POST" and path == REFUNDS_PATH:
        return "refund request"
    return "3.5 notification" if method == "POST" else f"{method} {path}"


@dataclass(frozen=True)
class WireRecord:
    """One request on the wire and its reply: exact bytes, as the receiver got them."""

    label: str
    method: str
    url: str
    request_headers: Headers
    request_body: bytes
    reply: Reply | None = None
    error: str | None = None

    @property
    def target(self) -> str:
        """The path and query of the request (what its signature covers)."""
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def canonical(self) -> bytes:
        """The canonical string the request's signature covers, rebuilt from what was sent."""
        headers = self.request_headers
        return canonical_request(
            self.method,
            self.target,
            int(headers.get(TIMESTAMP, "0")),
            headers.get(NONCE, ""),
            self.request_body,
        )

    @property
    def reply_canonical(self) -> bytes | None:
        """The canonical string the reply's signature covers (bound to this request's nonce), if signed."""
        if self.reply is None or TIMESTAMP not in self.reply.headers:
            return None
        headers = self.reply.headers
        return canonical_response(
            self.reply.status,
            self.request_headers.get(NONCE, ""),
            int(headers[TIMESTAMP]),
            headers.get(NONCE, ""),
            self.reply.body,
        )

    @property
    def out_trade_no(self) -> str | None:
        """The payment attempt the request is about, from its body or its path."""
        document = decode_json_object(self.request_body) or {}
        if isinstance(document.get("out_trade_no"), str):
            return document["out_trade_no"]
        data = document.get("data")
        if isinstance(data, dict) and isinstance(data.get("out_trade_no"), str):
            return data["out_trade_no"]
        path = urlsplit(self.url).path
        return path.rsplit("/", 1)[1] if path.startswith(PAYMENTS_PATH + "/") else None


class WireLog:
    """The latest :data:`WIRE_LOG_SIZE` records, oldest first; safe to append from many threads."""

    def __init__(self, size: int = WIRE_LOG_SIZE) -> None:
        self._records: deque[WireRecord] = deque(maxlen=size)
        self._lock = threading.Lock()

    def append(self, record: WireRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[WireRecord]:
        """A snapshot of the log."""
        with self._lock:
            return list(self._records)

    def for_order(self, order_id: str) -> list[WireRecord]:
        """The records about one order's payment attempts (``{order_id}-{attempt}``)."""
        return [r for r in self.records() if (r.out_trade_no or "").rsplit("-", 1)[0] == order_id]

    def __iter__(self) -> Iterator[WireRecord]:
        return iter(self.records())

    def __len__(self) -> int:
        return len(self.records())

    def __getitem__(self, index: int) -> WireRecord:
        return self.records()[index]


class RecordingLink:
    """A link that passes every request on to ``inner`` and writes what happened into ``log``."""

    def __init__(self, inner: Link, log: WireLog) -> None:
        self.inner = inner
        self.log = log

    def request(self, method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        sent = Headers(headers)
        label = step_label(method, urlsplit(url).path)
        try:
            reply = self.inner.request(method, url, headers, body)
        except LinkError as exc:
            self.log.append(WireRecord(label, method, url, sent, body, error=str(exc)))
            raise
        self.log.append(WireRecord(label, method, url, sent, body, reply))
        return reply
