"""``paycore serve``: both parties on loopback over real HTTP, for curl, Postman and Wireshark.

Each party is a FastAPI app under its own uvicorn server and port (see :mod:`.http_server` for the
limits on slow clients); a third thread starts the gateway's due notifications every second, which
are then delivered concurrently. Everything durable lives in ``--data-dir`` (see
:mod:`paycore.payment.runtime.datadir`): both parties' keys, the gateway's card-token key, the
operator token and one SQLite database per party, and the WeChat Pay and Alipay platforms' keys with
their demo merchants' credentials in ``sdk/`` (:mod:`paycore.payment.runtime.sdk_credentials`). The
first start creates them and seeds the demo payers; later starts check and reuse them. Delete the
directory to reset.

``--database postgresql://...`` (or ``PAYCORE_DATABASE_URL``) keeps both parties' tables in a
PostgreSQL server instead of the SQLite files; the keys and secrets stay in the data directory.
``--workers N`` runs the merchant in a process of its own and the gateway in ``N`` worker processes
sharing its port (see :mod:`.workers`).

The process fails loudly: a data directory it cannot use is one ``paycore: error:`` line and exit
status 2; a part that dies while serving (a server, the notifier loop) is logged with its reason and
the process exits with status 1, so a supervisor notices and restarts it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from paycore.payment.runtime.demo import DEMO_CARDS, DEMO_WALLETS, MERCHANT_ID

if TYPE_CHECKING:  # the web stack loads when serve runs, not when its options are declared
    import uvicorn

    from paycore.payment.gateway.outbox import Notifier

logger = logging.getLogger("paycore.serve")
LOOPBACK_ORIGINS = ("http://127.0.0.1:*",)
"""Where the demo merchant may be notified: any port on loopback, so local tools keep working."""


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
    parser.add_argument(
        "--database",
        default=os.environ.get("PAYCORE_DATABASE_URL"),
        metavar="URL",
        help="keep the tables in PostgreSQL (postgresql://user@host:port/db) instead of SQLite files "
        "in the data directory (default: $PAYCORE_DATABASE_URL, else SQLite)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="run the merchant in its own process and the gateway in N worker processes "
        "(default: everything in this one process)",
    )


@dataclass
class Servers:
    """The running pieces, so tests can start and stop them in process."""

    merchant_url: str
    gateway_url: str
    threads: list[threading.Thread]
    servers: list[uvicorn.Server]
    stop: threading.Event
    notifier: Notifier
    failures: list[str] = field(default_factory=list)
    """Why a part stopped on its own, if one did (the process then exits non-zero)."""

    def wait_until_ready(self, timeout: float = 20.0) -> None:
        """Block until both servers accept connections."""
        deadline = time.monotonic() + timeout
        while not all(server.started for server in self.servers):
            if self.failures or time.monotonic() > deadline:
                raise TimeoutError(f"paycore serve did not start: {'; '.join(self.failures) or 'timed out'}")
            time.sleep(0.05)

    def dead_part(self) -> str | None:
        """The reason a part stopped while it should be running, if one did."""
        if self.failures:
            return self.failures[0]
        for thread in self.threads:
            if not thread.is_alive() and not self.stop.is_set():
                return f"{thread.name} stopped"
        return None

    def shutdown(self) -> None:
        """Stop both servers and the notifier."""
        self.stop.set()
        for server in self.servers:
            server.should_exit = True
        for thread in self.threads:
            thread.join(timeout=10)
        self.notifier.close()


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


def _guarded(name: str, body, failures: list[str]):
    """Run ``body`` in a thread; if it raises, record why (the main loop then exits non-zero)."""

    def run() -> None:
        try:
            body()
        except BaseException as exc:
            failures.append(f"{name} failed: {type(exc).__name__}: {exc}")
            logger.error("%s failed: %s", name, type(exc).__name__)

    return threading.Thread(target=run, daemon=True, name=name)


HOUSEKEEPING_EVERY = 60.0
"""Seconds between housekeeping passes (expired nonces, old idempotency records, delivered messages)."""


def _deliver_forever(notifier: Notifier, stop: threading.Event, every: float, stores=()) -> None:
    """Start due notifications every ``every`` seconds, and prune ``stores`` every minute.

    A bad pass (a full disk, say) is logged, not fatal.
    """
    last_pruned = time.monotonic()
    while not stop.wait(every):
        try:
            notifier.dispatch()
            if stores and time.monotonic() - last_pruned >= HOUSEKEEPING_EVERY:
                last_pruned = time.monotonic()
                for store in stores:
                    store.prune(notifier.clock.now())
        except Exception as exc:
            logger.error("notification pass failed: %s; trying again", type(exc).__name__)


def start(
    host: str,
    merchant_port: int,
    gateway_port: int,
    data_dir: str | Path,
    deliver_every: float = 1.0,
    echo=print,
    database: str | None = None,
) -> Servers:
    """Check or create the data directory, then start both servers and the notifier in threads."""
    from paycore.payment.clock import SystemClock
    from paycore.payment.runtime import datadir, sdk_credentials
    from paycore.payment.runtime.transport import NOTIFY_TIMEOUT, HttpLink
    from paycore.payment.runtime.world import assemble, open_stores
    from paycore.tools.http_server import server

    if merchant_port == gateway_port:
        raise ValueError(f"the merchant and the gateway cannot share port {merchant_port}: give each its own")
    _require_free(host, merchant_port, "--merchant-port")
    _require_free(host, gateway_port, "--gateway-port")
    merchant_url, gateway_url = f"http://{host}:{merchant_port}", f"http://{host}:{gateway_port}"
    try:
        data, created = datadir.prepare(data_dir)
        merchant_key, _ = datadir.party_key(data, "merchant")
        signing_key, _ = datadir.party_key(data, "gateway-signing")
        encryption_key, _ = datadir.party_key(data, "gateway-encryption")
        token_key, admin_token = datadir.card_token_key(data), datadir.admin_token(data)
        sdk = sdk_credentials.prepare(data)
        gateway_store, merchant_store = open_stores(data, database)
        parties = assemble(
            clock=SystemClock(),
            gateway_store=gateway_store,
            merchant_store=merchant_store,
            gateway_key=signing_key,
            gateway_encryption_key=encryption_key,
            merchant_key=merchant_key,
            link=HttpLink(),
            notify_link=HttpLink(timeout=NOTIFY_TIMEOUT),
            gateway_url=gateway_url,
            merchant_url=merchant_url,
            token_secret=token_key,
            admin_token=admin_token,
            notify_origins=(*LOOPBACK_ORIGINS, merchant_url),
            dialect_keys=sdk.keys,
        )
        sdk_credentials.register_demo_merchants(parties.dialects, sdk, LOOPBACK_ORIGINS)
        sdk_credentials.write_sdk_files(parties.dialects, sdk, gateway_url)
    except datadir.STARTUP_ERRORS as exc:
        raise datadir.describe(exc, Path(data_dir)) from None
    gateway, notifier = parties.gateway, parties.notifier
    gateway_app, merchant_app = parties.apps()
    servers = [
        server(merchant_app, host, merchant_port, "merchant"),
        server(gateway_app, host, gateway_port, "gateway"),
    ]
    stop, failures = threading.Event(), []
    threads = [
        _guarded(f"{party} server", running.run, failures)
        for party, running in zip(("merchant", "gateway"), servers, strict=True)
    ]
    stores = (gateway_store, merchant_store)
    threads.append(
        _guarded("notifier", lambda: _deliver_forever(notifier, stop, deliver_every, stores), failures)
    )
    for thread in threads:
        thread.start()
    running = Servers(merchant_url, gateway_url, threads, servers, stop, notifier, failures)
    _banner(echo, data, created, merchant_url, gateway_url, gateway, database)
    return running


def _banner(
    echo, data: Path, created: bool, merchant_url: str, gateway_url: str, gateway, database=None, workers=None
) -> None:
    where = f"; tables in PostgreSQL at {_without_password(database)}" if database else ""
    echo(f"paycore serve ({'new' if created else 'existing'} data in {data}/{where})")
    if workers:
        echo(f"  the merchant in its own process, the gateway in {workers} worker process(es)")
    echo(f"  merchant  {merchant_url}   docs {merchant_url}/docs   (merchant id {MERCHANT_ID})")
    echo(f"  shop      {merchant_url}/shop   (buy tea in a browser, then watch the six steps)")
    echo(
        f"  gateway   {gateway_url}   docs {gateway_url}/docs   (signs with key {gateway.key_id[:16]}..., "
        f"decrypts with key {gateway.encryption_key_id[:16]}...)"
    )
    echo(
        "  demo cards: "
        + ", ".join(f"{number} exp {expiry} CVV {cvv}" for number, (expiry, cvv, _, _) in DEMO_CARDS.items())
    )
    echo("  demo wallets: " + ", ".join(DEMO_WALLETS))
    echo(f"  operator token (X-Admin-Token for /admin/reconcile): in {data / 'merchant-admin.token'}")
    echo(
        f"  WeChat Pay v3 at {gateway_url}/v3/..., Alipay at {gateway_url}/gateway.do: SDK credentials in "
        f"{data / 'sdk' / 'wechatpay.json'} and {data / 'sdk' / 'alipay.json'} (see docs/DIALECTS.md)"
    )
    echo(
        f"  try: curl -s -X POST {merchant_url}/orders -H 'X-User-Id: alice' "
        "-H 'Content-Type: application/json' "
        '-d \'{"items":[{"sku":"TEA-1","name":"Green tea","quantity":2,"unit_price":4990}],'
        '"currency":"CNY"}\''
    )


def _without_password(url: str) -> str:
    """A database URL fit to print: any password replaced by ``***``."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (0), or until a part dies (1, with the reason on stderr)."""
    logging.basicConfig(level=logging.WARNING, format="paycore serve: %(message)s")
    logging.getLogger("paycore.requests").setLevel(logging.INFO)  # one line per request, no bodies
    if args.workers is not None:
        from paycore.tools.workers import serve_in_processes

        return serve_in_processes(args)
    running = start(
        args.host,
        args.merchant_port,
        args.gateway_port,
        args.data_dir,
        args.deliver_every,
        database=args.database,
    )
    try:
        running.wait_until_ready()
        print("ready. Press Ctrl-C to stop.", flush=True)
        while (reason := running.dead_part()) is None:
            time.sleep(0.5)
        print(f"paycore: error: {reason}; stopping", file=sys.stderr, flush=True)
        return 1
    except TimeoutError as exc:
        print(f"paycore: error: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nstopping")
        return 0
    finally:
        running.shutdown()
