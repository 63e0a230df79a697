"""The platforms' own SDKs as clients of ``paycore serve``, and the small servers their tests need.

The SDKs are used as installed from PyPI: only their base-URL attribute is set (WeChat Pay's
``_core._gate_way``, Alipay's ``_gateway``), exactly as a merchant pointing them at a sandbox would.
A :class:`MerchantEndpoint` is the merchant's notify URL: a real HTTP server that hands every
notification to the SDK to verify (and decrypt) and answers as the platform expects. A
:class:`TamperingProxy` sits between an SDK and the gateway and changes answers on the way.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
from alipay import AliPay
from wechatpayv3 import WeChatPay, WeChatPayType

from paycore import secure
from paycore.payment.gateway import ledger
from paycore.payment.gateway.sqlite import SQLiteGatewayStore
from paycore.tools.serve import start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def credentials(data: Path, name: str) -> tuple[dict, Path]:
    """``sdk/<name>.json`` as written by ``paycore serve``, and the folder its key paths are relative to."""
    folder = data / "sdk"
    return json.loads((folder / f"{name}.json").read_text()), folder


def wechatpay_client(
    data: Path,
    notify_url: str,
    *,
    private_key_pem: str | None = None,
    certificate_dir: Path | None = None,
    base_url: str | None = None,
) -> WeChatPay:
    """The WeChat Pay SDK for the demo merchant, in public-key mode -- or in certificate mode.

    In certificate mode the SDK loads the certificates in ``certificate_dir`` while it is built and
    downloads ``/v3/certificates`` only when an answer names a serial it does not hold; the folder
    must hold some certificate, or the SDK would download from the real platform's URL at once.
    """
    config, folder = credentials(data, "wechatpay")
    platform = {}
    if certificate_dir is None:
        platform = {
            "public_key": (folder / config["public_key_file"]).read_text(),
            "public_key_id": config["public_key_id"],
        }
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=config["mchid"],
        private_key=private_key_pem or (folder / config["private_key_file"]).read_text(),
        cert_serial_no=config["cert_serial_no"],
        appid=config["appid"],
        apiv3_key=config["apiv3_key"],
        notify_url=notify_url,
        cert_dir=str(certificate_dir) if certificate_dir is not None else None,
        **platform,
    )
    client._core._gate_way = base_url or config["base_url"]
    return client


def alipay_client(
    data: Path,
    notify_url: str,
    *,
    private_key_pem: str | None = None,
    gateway_url: str | None = None,
    sign_type: str = "RSA2",
) -> AliPay:
    """The Alipay SDK for the demo application."""
    config, folder = credentials(data, "alipay")
    client = AliPay(
        appid=config["appid"],
        app_notify_url=notify_url,
        app_private_key_string=private_key_pem or (folder / config["app_private_key_file"]).read_text(),
        alipay_public_key_string=(folder / config["alipay_public_key_file"]).read_text(),
        sign_type=sign_type,
    )
    client._gateway = gateway_url or config["gateway_url"]
    return client


class _Server:
    """A threaded HTTP server on a free loopback port, stopped by :meth:`close`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MerchantEndpoint(_Server):
    """A merchant's notify URL: ``verify(headers, body)`` returns the verified notification or ``None``.

    Verified notifications are kept in :attr:`received` (and refused ones in :attr:`refused`); the
    answer is ``ok_answer`` (WeChat Pay: 204; Alipay: ``success``) or a refusal.
    """

    def __init__(self, verify: Callable[[dict, bytes], object], ok_answer: tuple[int, bytes]) -> None:
        self.received: list = []
        self.refused: list[bytes] = []
        self.arrived = threading.Condition()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                result = verify(dict(self.headers), body)
                with endpoint.arrived:
                    (endpoint.received.append(result) if result else endpoint.refused.append(body))
                    endpoint.arrived.notify_all()
                status, answer = ok_answer if result else (400, b"fail")
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        super().__init__(Handler)

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        """Block until ``count`` verified notifications arrived; return them."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
        assert len(self.received) >= count, (
            f"{len(self.received)} verified notifications, refused: {self.refused}"
        )
        return list(self.received)


def wechatpay_verifier(client: WeChatPay) -> Callable[[dict, bytes], dict | None]:
    """Verify and decrypt with the SDK: ``callback`` returns the notification with its resource opened."""
    return lambda headers, body: client.callback(headers, body)


def alipay_verifier(client: AliPay) -> Callable[[dict, bytes], dict | None]:
    """Verify with the SDK: pop ``sign``, ``verify`` the rest (it checks and drops ``sign_type`` itself)."""

    def verify(headers: dict, body: bytes) -> dict | None:
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        signature = fields.pop("sign", "")
        return dict(fields) if client.verify(dict(fields), signature) else None

    return verify


class TamperingProxy(_Server):
    """Forwards every request to ``target`` and passes the answer's body through ``tamper``."""

    def __init__(self, target: str, tamper: Callable[[bytes], bytes]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def _forward(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                reply = httpx.request(method, target + self.path, headers=headers, content=body)
                changed = tamper(reply.content)
                self.send_response(reply.status_code)
                for name, value in reply.headers.items():
                    if name.lower() not in (
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "date",
                        "server",
                    ):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(changed)))
                self.end_headers()
                self.wfile.write(changed)

            def do_GET(self) -> None:
                self._forward("GET")

            def do_POST(self) -> None:
                self._forward("POST")

            def log_message(self, *args) -> None:
                pass

        super().__init__(Handler)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``paycore serve`` on two free loopback ports, its notifier passing every 0.1 s: (servers, data dir)."""
    data = tmp_path_factory.mktemp("sdk") / "data"
    running = start("127.0.0.1", free_port(), free_port(), data, deliver_every=0.1, echo=lambda *a: None)
    running.wait_until_ready()
    yield running, data
    running.shutdown()


def gateway_books(data: Path) -> tuple[dict[str, int], SQLiteGatewayStore]:
    """The gateway's ledger judged from its database file: the totals per currency (each zero), the store."""
    store = SQLiteGatewayStore(data / "gateway.sqlite3")
    return ledger.check_invariants(store.ledger_report()), store


def pem(key) -> str:
    """A private key as the PKCS#8 PEM text the SDKs load."""
    return secure.private_key_to_pem(key).decode("ascii")
