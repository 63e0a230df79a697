"""How the parties reach each other: over real HTTP, in process with the very same bytes, or directly.

Every link takes a method, an absolute URL, headers and body bytes, and returns a
:class:`~paycore.payment.protocol.wire.Reply` (see :class:`~paycore.payment.protocol.wire.Link`).
:class:`HttpLink` uses an ``httpx.Client`` over the network (``paycore serve``). The
:class:`InProcessNetwork` runs the parties' FastAPI apps inside this process through
``httpx.ASGITransport``, so notebooks and tests see byte-identical requests without opening ports
-- and can take a party "down" to test retries.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from urllib.parse import urlsplit

import anyio.from_thread
import httpx

from paycore.payment.protocol import PAYMENTS_PATH, REFUNDS_PATH
from paycore.payment.protocol.wire import Headers, LinkError, Reply

DEFAULT_TIMEOUT = 10.0
NOTIFY_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
"""The gateway's notifications: a merchant endpoint gets 2 s to accept the connection and 5 s to answer."""


def _reply(response: httpx.Response) -> Reply:
    return Reply(response.status_code, Headers(response.headers.multi_items()), response.content)


class HttpLink:
    """Requests over real HTTP (redirects are never followed: an answer is the peer's own, or nothing)."""

    def __init__(
        self, client: httpx.Client | None = None, timeout: float | httpx.Timeout = DEFAULT_TIMEOUT
    ) -> None:
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def request(self, method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        """Send one request; :class:`LinkError` if the peer cannot be reached, for whatever reason."""
        try:
            response = self._client.request(method, url, headers=dict(headers), content=body)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, UnicodeError) as exc:
            raise LinkError(
                f"{method} {url!r}: {type(exc).__name__}, the URL cannot be used", permanent=True
            ) from None
        except Exception as exc:  # httpx.TransportError, a protocol error, anything: the peer was not reached
            raise LinkError(f"{method} {url}: {type(exc).__name__}") from None
        return _reply(response)

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()


class InProcessNetwork:
    """ASGI apps in this process, addressed by URL host as if they were on the network.

    Requests go through ``httpx.ASGITransport``: real HTTP messages (method, path, headers, body
    bytes) handed to the app without a socket. The apps run on one event loop in a background
    thread (an anyio blocking portal), so any number of threads may call :meth:`request` at once
    -- which is how the tests send 50 concurrent payments.
    """

    def __init__(self) -> None:
        self._apps: dict[str, httpx.AsyncClient] = {}
        self._down: set[str] = set()
        self._lock = threading.Lock()
        self._portal_context = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_context.__enter__()

    def add(self, base_url: str, app) -> None:
        """Serve ``app`` at ``base_url`` (e.g. ``http://gateway.paycore.test``)."""
        host = urlsplit(base_url).netloc
        self._apps[host] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=base_url, timeout=DEFAULT_TIMEOUT
        )

    def take_down(self, base_url: str) -> None:
        """Make a party unreachable (its requests fail as a refused connection would)."""
        with self._lock:
            self._down.add(urlsplit(base_url).netloc)

    def bring_up(self, base_url: str) -> None:
        """Make a party reachable again."""
        with self._lock:
            self._down.discard(urlsplit(base_url).netloc)

    def send(self, method: str, url: str, **kwargs) -> httpx.Response:
        """Any httpx request (``json=``, ``headers=``, ``content=`` ...) to the app serving ``url``'s host."""
        host = urlsplit(url).netloc
        with self._lock:
            down = host in self._down
        client = self._apps.get(host)
        if down or client is None:
            raise LinkError(f"{method} {url}: connection refused")

        async def call() -> httpx.Response:
            # a network remembers nothing between requests: cookies are the caller's (one client serves
            # every caller of this app, so a cookie it kept would pass from one "browser" to the next)
            client.cookies.clear()
            return await client.request(method, url, **kwargs)

        return self._portal.call(call)

    def request(self, method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        """Deliver one request to the app serving ``url``'s host and return the reply bytes."""
        return _reply(self.send(method, url, headers=dict(headers), content=body))

    def client(self, base_url: str) -> InProcessClient:
        """A small synchronous client for one party, like ``httpx.Client(base_url=...)``."""
        return InProcessClient(self, base_url)

    def close(self) -> None:
        """Stop the event loop thread."""
        for client in self._apps.values():
            self._portal.call(client.aclose)
        self._apps.clear()
        self._portal_context.__exit__(None, None, None)


class InProcessClient:
    """``get``/``post`` against one in-process app, returning ``httpx.Response`` objects."""

    def __init__(self, network: InProcessNetwork, base_url: str) -> None:
        self.network = network
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """Send a request to ``base_url + path``."""
        return self.network.send(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs) -> httpx.Response:
        """``GET base_url + path``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        """``POST base_url + path``."""
        return self.request("POST", path, **kwargs)


class DirectLink:
    """The parties' services called directly with the same bytes, no web framework in between.

    Routes ``(method, path)`` to the gateway's and the merchant's handlers exactly as their
    FastAPI apps do, so it measures what the protocol itself costs (crypto, checks, database)
    without HTTP parsing. Used by the benchmarks; notebooks and tests use
    :class:`InProcessNetwork` to keep HTTP in view.
    """

    def __init__(self, gateway_url: str, gateway=None, merchant_url: str | None = None, inbox=None) -> None:
        self._gateway_host = urlsplit(gateway_url).netloc
        self._merchant_host = urlsplit(merchant_url).netloc if merchant_url else None
        self.gateway = gateway
        self.inbox = inbox

    def request(self, method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        """Dispatch to the service that owns ``url``."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.netloc == self._gateway_host:
            if method == "POST" and parts.path == PAYMENTS_PATH:
                return self.gateway.handle_payment(headers, body, target=target)
            if method == "POST" and parts.path == REFUNDS_PATH:
                return self.gateway.handle_refund(headers, body, target=target)
            if method == "GET" and parts.path.startswith(PAYMENTS_PATH + "/"):
                return self.gateway.handle_query(target, headers, parts.path.rsplit("/", 1)[1])
            return Reply(404, Headers(), b'{"error":{"code":"NOT_FOUND","message":"no such endpoint"}}')
        if parts.netloc == self._merchant_host and self.inbox is not None and method == "POST":
            return self.inbox.handle(target, headers, body)
        raise LinkError(f"{method} {url}: connection refused")
