"""Real peers for the hardening tests: `paycore serve` on loopback, raw sockets, small file systems.

Everything here is real: :class:`Live` is ``paycore.tools.serve.start`` on free loopback ports with
its data directory on disk; :func:`raw_exchange` speaks HTTP/1.1 over a plain TCP socket, so a
test controls every byte (a half-sent request line, a repeated header, ``/v1/%70ayments``);
:class:`Blackhole` accepts connections and never answers; :func:`tmpfs` mounts a small real file
system that can be filled or made read-only.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import http.server
import json
import os
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from paycore import secure
from paycore.payment.protocol import NONCE, PAYMENTS_PATH, envelope_context
from paycore.payment.protocol.signing import MessageSigner, MessageVerifier, PinnedKey
from paycore.payment.runtime.demo import MERCHANT_ID, NOTIFY_PATH
from tests.conftest import load_pinned_key

DEMO_CARD = {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}
USER = {"X-User-Id": "alice"}
PINNED = (*(("2048", variant) for variant in ("", "b", "d", "c", "e", "f", "g", "h")), ("3072", ""))
_handed_out: set[int] = set()
"""Indexes of the pinned keys given out in this test; reset by tests/payment/conftest.py for each test."""


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@functools.cache
def _pinned(bits: int, variant: str):
    return load_pinned_key(bits, variant)  # loading checks the key: 0.1 s each, so once per session


@contextlib.contextmanager
def pinned_keygen(monkeypatch: pytest.MonkeyPatch | None = None) -> Iterator[None]:
    """Make ``paycore serve``'s starts use the committed test keys, one distinct key per call in a test.

    Key generation is not under test here and costs about a second per start; the keys a start
    writes are still written, checked and read back exactly as generated ones would be.
    """
    real = secure.generate_private_key

    def next_key(bits: int = 2048):
        # distinct across every start of one test: a second start (after a full disk, say) must not
        # hand out a key that the first one already wrote under another name
        for index, (size, variant) in enumerate(PINNED):
            if index not in _handed_out:
                _handed_out.add(index)
                return _pinned(int(size), variant)
        return real(bits)

    with contextlib.ExitStack() as stack:
        patcher = monkeypatch or stack.enter_context(pytest.MonkeyPatch.context())
        patcher.setattr(secure, "generate_private_key", next_key)
        yield


# -- a running paycore serve ----------------------------------------------------------------------------
@dataclass
class Live:
    """``paycore serve`` running in this process, and what a merchant SDK (or an attacker) would hold."""

    running: object
    data: Path
    _keys: dict = field(default_factory=dict, repr=False)

    @classmethod
    def start(cls, data: Path, deliver_every: float = 0.1) -> Live:
        from paycore.tools.serve import start

        with pinned_keygen():
            running = start("127.0.0.1", free_port(), free_port(), data, deliver_every, echo=lambda *a: None)
        running.wait_until_ready()
        return cls(running, Path(data))

    def close(self) -> None:
        self.running.shutdown()

    # where things are
    @property
    def merchant_url(self) -> str:
        return self.running.merchant_url

    @property
    def gateway_url(self) -> str:
        return self.running.gateway_url

    @property
    def gateway_port(self) -> int:
        return int(self.gateway_url.rsplit(":", 1)[1])

    @property
    def merchant_port(self) -> int:
        return int(self.merchant_url.rsplit(":", 1)[1])

    # keys, read from the data directory as an operator would hand them out
    def private_key(self, name: str):
        """A party's private key from its file (loaded once: loading checks the key, 0.1 s or more)."""
        if (name, "private") not in self._keys:
            pem = (self.data / f"{name}.private.pem").read_bytes()
            self._keys[name, "private"] = secure.load_private_key_pem(pem)
        return self._keys[name, "private"]

    def public_key(self, name: str):
        if (name, "public") not in self._keys:
            pem = (self.data / f"{name}.public.pem").read_bytes()
            self._keys[name, "public"] = secure.load_public_key_pem(pem)
        return self._keys[name, "public"]

    @property
    def merchant_signer(self) -> MessageSigner:
        return MessageSigner(self.private_key("merchant"))

    @property
    def gateway_signer(self) -> MessageSigner:
        """The gateway's own signer: forging notifications as if from the gateway (the merchant's tests)."""
        return MessageSigner(self.private_key("gateway-signing"))

    def answer_is_signed(self, response: httpx.Response, request_nonce: str) -> bool:
        """Whether a gateway answer is validly signed by the gateway's signing key, for this request."""
        from paycore.payment.clock import SystemClock
        from paycore.payment.errors import PaymentError

        pinned = PinnedKey(
            "gateway", self.public_key("gateway-signing"), secure.SignatureAlgorithm.PSS_SHA256
        )
        verifier = MessageVerifier(pinned, SystemClock())
        try:
            verifier.verify_response(
                response.status_code, request_nonce, response.headers.multi_items(), response.content
            )
        except PaymentError:
            return False
        return True

    # messages
    def payment_body(
        self,
        out_trade_no: str | None = None,
        *,
        value: int = 100,
        method: dict | None = None,
        notify_url: str | None = None,
        seal_to: str = "gateway-encryption",
    ) -> bytes:
        """A payment request as the demo merchant builds it (the payer sealed to ``seal_to``'s key)."""
        out_trade_no = out_trade_no or new_trade_no()
        recipient = self.public_key(seal_to)
        sealed = secure.seal(
            recipient,
            json.dumps(method or DEMO_CARD).encode(),
            associated_data=envelope_context(MERCHANT_ID, out_trade_no),
            key_id=secure.key_id(recipient),
        )
        document = {
            "merchant_id": MERCHANT_ID,
            "out_trade_no": out_trade_no,
            "amount": {"value": value, "currency": "CNY"},
            "description": "hardening test",
            "notify_url": notify_url or self.merchant_url + NOTIFY_PATH,
            "payer": sealed.to_dict(),
        }
        return json.dumps(document, separators=(",", ":")).encode()

    def signed_headers(
        self,
        body: bytes,
        *,
        target: str = PAYMENTS_PATH,
        method: str = "POST",
        timestamp: int | None = None,
        signer: MessageSigner | None = None,
        idempotency_key: str | None = None,
    ) -> list[tuple[str, str]]:
        """The headers of a signed request, as a list (so a test may repeat or change one)."""
        signer = signer or self.merchant_signer
        stamp = int(time.time()) if timestamp is None else timestamp
        headers = [("Content-Type", "application/json")]
        headers += list(signer.sign_request(method, target, body, timestamp=stamp).items())
        if method == "POST":
            headers.append(("Idempotency-Key", idempotency_key or str(uuid.uuid4())))
        return headers

    def to_gateway(self, body: bytes, headers: list[tuple[str, str]], target: str = PAYMENTS_PATH):
        """POST to the gateway over real HTTP (httpx keeps repeated headers and the target's encoding)."""
        with httpx.Client(timeout=20) as client:
            return client.post(self.gateway_url + target, content=body, headers=headers)

    def notify(self, event: dict, *, signer: MessageSigner | None = None) -> httpx.Response:
        """POST a notification to the merchant, signed by the gateway's key unless told otherwise."""
        body = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            **(signer or self.gateway_signer).sign_request(
                "POST", NOTIFY_PATH, body, timestamp=int(time.time())
            ),
        }
        with httpx.Client(timeout=20) as client:
            return client.post(self.merchant_url + NOTIFY_PATH, content=body, headers=headers)

    # the merchant API, as a browser would use it
    def merchant(self) -> httpx.Client:
        return httpx.Client(base_url=self.merchant_url, timeout=20)

    def new_order(self, price: int = 100) -> dict:
        with self.merchant() as client:
            reply = client.post(
                "/orders",
                headers=USER,
                json={
                    "items": [{"sku": "TEA-1", "name": "Tea", "quantity": 1, "unit_price": price}],
                    "currency": "CNY",
                },
            )
        assert reply.status_code == 201, reply.text
        return reply.json()

    def pay(self, order: dict, method: dict | None = None) -> httpx.Response:
        with self.merchant() as client:
            return client.post(
                f"/orders/{order['order_id']}/pay",
                headers=USER,
                json={"amount": order["amount"], "method": method or DEMO_CARD},
            )

    # the databases, read as any SQLite browser would
    def rows(self, party: str, sql: str, parameters: tuple = ()) -> list[tuple]:
        with contextlib.closing(sqlite3.connect(self.data / f"{party}.sqlite3")) as connection:
            return connection.execute(sql, parameters).fetchall()


def new_trade_no() -> str:
    return "T-" + uuid.uuid4().hex[:20]


def request_nonce(headers: list[tuple[str, str]]) -> str:
    return next(value for name, value in headers if name == NONCE)


# -- raw HTTP over TCP ----------------------------------------------------------------------------------
@dataclass
class RawAnswer:
    """One HTTP answer as bytes arrived: status, headers (lower-case names, repeats kept), body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name.lower()), None)

    def json(self):
        return json.loads(self.body)


def read_answer(sock: socket.socket) -> RawAnswer:
    """Read one HTTP/1.1 answer with a Content-Length body from ``sock``."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a whole answer arrived: {buffer!r}")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = [
        (name.strip().lower(), value.strip())
        for name, _, value in (line.partition(":") for line in lines[1:])
    ]
    length = int(next((value for name, value in headers if name == "content-length"), "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return RawAnswer(status, headers, rest[:length])


def closed_by_peer(sock: socket.socket) -> bool:
    """Whether the other side has closed the connection (reads end), without waiting for ever."""
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def raw_request(method: str, target: str, port: int, body: bytes = b"", headers=()) -> bytes:
    """The exact bytes of one HTTP/1.1 request: the target goes on the request line untouched."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def raw_exchange(port: int, data: bytes, timeout: float = 20) -> RawAnswer:
    """Send ``data`` on a fresh connection and read one answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_answer(sock)


# -- merchant endpoints that misbehave, and one that does not ---------------------------------------------
class Blackhole:
    """A listening socket that accepts every connection and never answers a byte.

    It counts connections accepted and the most that were open at once (a connection ends when
    the client closes it), which is what a per-destination limit must bound.
    """

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/paycore/notify"
        self.accepted = 0
        self.open = 0
        self.most_open = 0
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._closing = False
        threading.Thread(target=self._accept, daemon=True, name=f"blackhole-{self.port}").start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                self.open += 1
                self.most_open = max(self.most_open, self.open)
                self._connections.append(connection)
            threading.Thread(target=self._hold, args=(connection,), daemon=True).start()

    def _hold(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while connection.recv(65536):
                pass  # swallow the request, answer nothing
        with self._lock:
            self.open -= 1

    def close(self) -> None:
        """Stop listening and hang up on everybody (their deliveries then fail and are recorded)."""
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()


class HealthyEndpoint:
    """A tiny real HTTP server that acknowledges every POST with ``200 {"code":"SUCCESS"}``."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                received.append((self.path, self.rfile.read(length)))
                body = b'{"code":"SUCCESS"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/paycore/notify"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# -- small real file systems ------------------------------------------------------------------------------
NEEDS_MOUNT = "needs root and mount(8) to make a full or read-only file system"


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A fresh tmpfs of ``size`` (``64k``, ``8m``) mounted at ``path``, unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"{NEEDS_MOUNT}: {mounted.stderr.strip() or 'mount failed'}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, option: str) -> None:
    """``mount -o remount,ro`` (or ``rw``) a tmpfs made by :func:`tmpfs`."""
    subprocess.run(["mount", "-o", f"remount,{option}", str(path)], check=True, capture_output=True)


def fill(directory: Path) -> Path:
    """Fill the file system of ``directory`` to the last byte; the filler file, to delete later."""
    filler = directory / "filler.bin"
    with open(filler, "wb", buffering=0) as handle:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            while True:
                try:
                    handle.write(b"\0" * chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    return filler


def free_bytes(directory: Path) -> int:
    stats = os.statvfs(directory)
    return stats.f_bavail * stats.f_frsize
