"""``paycore serve``: both parties on loopback over real HTTP, for curl, Postman and Wireshark.

Each party is a FastAPI app under its own uvicorn server and port; a third thread delivers the
gateway's notifications every second. Everything durable lives in ``--data-dir``: both parties'
keys (PEM), the gateway's card-token key, and one SQLite database per party. The first start
creates the keys and seeds the demo payers; later starts reuse them. Delete the directory to reset.
"""

from __future__ import annotations

import argparse
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paycore import secure
from paycore.payment.runtime.demo import DEMO_CARDS, DEMO_WALLETS, MERCHANT_ID

if TYPE_CHECKING:  # the web stack loads when serve runs, not when its options are declared
    import uvicorn

    from paycore.payment.gateway.outbox import Notifier


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--merchant-port", type=int, default=8001, help="merchant API port (default 8001)")
    parser.add_argument("--gateway-port", type=int, default=8002, help="gateway API port (default 8002)")
    parser.add_argument(
        "--data-dir", default="paycore-data", help="keys and databases (default ./paycore-data)"
    )
    parser.add_argument(
        "--deliver-every", type=float, default=1.0, help="seconds between notification passes"
    )


def _key(data_dir: Path, name: str) -> tuple[secure.keys.RSAPrivateKey, bool]:
    path = data_dir / f"{name}.private.pem"
    if path.exists():
        return secure.load_private_key(path), False
    key = secure.generate_private_key()
    secure.save_private_key(path, key, exclusive=True)
    secure.save_public_key(data_dir / f"{name}.public.pem", key)
    return key, True


def _admin_token(data_dir: Path) -> str:
    """The merchant operator's token for /admin endpoints: made once, kept with mode 0600."""
    path = data_dir / "merchant-admin.token"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


@dataclass
class Servers:
    """The running pieces, so tests can start and stop them in process."""

    merchant_url: str
    gateway_url: str
    threads: list[threading.Thread]
    servers: list[uvicorn.Server]
    stop: threading.Event
    notifier: Notifier

    def wait_until_ready(self, timeout: float = 20.0) -> None:
        """Block until both servers accept connections."""
        deadline = time.monotonic() + timeout
        while not all(server.started for server in self.servers):
            if time.monotonic() > deadline:
                raise TimeoutError("paycore serve did not start in time")
            time.sleep(0.05)

    def shutdown(self) -> None:
        """Stop both servers and the notifier."""
        self.stop.set()
        for server in self.servers:
            server.should_exit = True
        for thread in self.threads:
            thread.join(timeout=10)


def _require_free(host: str, port: int, option: str) -> None:
    """Fail at once, with advice, if ``port`` is taken (uvicorn would only log it and wait)."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise ValueError(
                f"port {port} on {host} is in use: stop the other program or pass {option}"
            ) from None


def start(
    host: str,
    merchant_port: int,
    gateway_port: int,
    data_dir: str | Path,
    deliver_every: float = 1.0,
    echo=print,
) -> Servers:
    """Create or reuse the data directory, then start both servers and the notifier in threads."""
    import uvicorn

    from paycore.payment.clock import SystemClock
    from paycore.payment.runtime.transport import HttpLink
    from paycore.payment.runtime.world import assemble, open_stores, token_secret_in

    _require_free(host, merchant_port, "--merchant-port")
    _require_free(host, gateway_port, "--gateway-port")
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    merchant_key, fresh = _key(data, "merchant")
    gateway_key, _ = _key(data, "gateway")
    merchant_url, gateway_url = f"http://{host}:{merchant_port}", f"http://{host}:{gateway_port}"
    gateway_store, merchant_store = open_stores(data)
    parties = assemble(
        clock=SystemClock(),
        gateway_store=gateway_store,
        merchant_store=merchant_store,
        gateway_key=gateway_key,
        merchant_key=merchant_key,
        link=HttpLink(),
        gateway_url=gateway_url,
        merchant_url=merchant_url,
        token_secret=token_secret_in(data),
        admin_token=_admin_token(data),
    )
    gateway, notifier = parties.gateway, parties.notifier
    gateway_app, merchant_app = parties.apps()
    servers = [
        uvicorn.Server(uvicorn.Config(merchant_app, host=host, port=merchant_port, log_level="warning")),
        uvicorn.Server(uvicorn.Config(gateway_app, host=host, port=gateway_port, log_level="warning")),
    ]
    stop = threading.Event()

    def deliver() -> None:
        while not stop.wait(deliver_every):
            notifier.deliver_due()

    threads = [
        threading.Thread(target=server.run, daemon=True, name=f"uvicorn-{index}")
        for index, server in enumerate(servers)
    ]
    threads.append(threading.Thread(target=deliver, daemon=True, name="notifier"))
    for thread in threads:
        thread.start()
    running = Servers(merchant_url, gateway_url, threads, servers, stop, notifier)
    echo(f"paycore serve ({'new' if fresh else 'existing'} data in {data}/)")
    echo(f"  merchant  {merchant_url}   docs {merchant_url}/docs   (merchant id {MERCHANT_ID})")
    echo(f"  gateway   {gateway_url}   docs {gateway_url}/docs   (key id {gateway.key_id[:16]}...)")
    echo(
        "  demo cards: "
        + ", ".join(f"{number} exp {expiry}" for number, (expiry, _, _) in DEMO_CARDS.items())
    )
    echo("  demo wallets: " + ", ".join(DEMO_WALLETS))
    echo(f"  operator token (X-Admin-Token for /admin/reconcile): in {data / 'merchant-admin.token'}")
    echo(
        f"  try: curl -s -X POST {merchant_url}/orders -H 'X-User-Id: alice' "
        "-H 'Content-Type: application/json' "
        '-d \'{"items":[{"sku":"TEA-1","name":"Green tea","quantity":2,"unit_price":4990}],'
        '"currency":"CNY"}\''
    )
    return running


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C."""
    running = start(args.host, args.merchant_port, args.gateway_port, args.data_dir, args.deliver_every)
    try:
        running.wait_until_ready()
        print("ready. Press Ctrl-C to stop.")
        while all(thread.is_alive() for thread in running.threads):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        running.shutdown()
    return 0
