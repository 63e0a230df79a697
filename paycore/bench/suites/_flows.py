"""The payment flows the ``payments`` suite times, each ready to call once per payment.

Three ways to join the same two services -- direct handler calls (on SQLite files or in memory),
their FastAPI apps in process, and uvicorn over loopback TCP -- and one durable SQLite commit, the
unit of the crypto bound. Each builder sets everything up (scratch directories removed at exit,
free ports, the run's keys) and returns the function that pays once.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import socket
import sqlite3
import tempfile
from pathlib import Path

from paycore.bench.suites._keys import bench_key

ITEMS = [{"sku": "TEA-1", "name": "Longjing green tea", "quantity": 1, "unit_price": 100}]
CARD = {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}


def _scratch() -> Path:
    path = Path(tempfile.mkdtemp(prefix="paycore-bench-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def direct_flow(durable_storage: bool = True):
    """Both services linked by :class:`DirectLink`, on SQLite files (or in memory); (pay once, databases)."""
    import secrets

    from paycore.payment import Card, LineItem, Money
    from paycore.payment.clock import SystemClock
    from paycore.payment.runtime.transport import DirectLink
    from paycore.payment.runtime.world import GATEWAY_URL, MERCHANT_URL, assemble, open_stores

    gateway_store, merchant_store = open_stores(_scratch() if durable_storage else None)
    link = DirectLink(GATEWAY_URL, None, MERCHANT_URL, None)
    parties = assemble(
        clock=SystemClock(),
        gateway_store=gateway_store,
        merchant_store=merchant_store,
        gateway_key=bench_key(2048).native,
        gateway_encryption_key=_gateway_encryption_key(),
        merchant_key=_merchant_key(),
        link=link,
        gateway_url=GATEWAY_URL,
        merchant_url=MERCHANT_URL,
        token_secret=secrets.token_bytes(32),
    )
    link.gateway, link.inbox = parties.gateway, parties.inbox
    merchant, notifier = parties.merchant, parties.notifier
    card = Card(CARD["number"], CARD["expiry"], CARD["cvv"])
    item = [LineItem(**ITEMS[0])]

    def pay() -> None:
        order = merchant.create_order("alice", item, "CNY")
        merchant.pay("alice", order["order_id"], Money(100, "CNY"), card)
        notifier.deliver_due()

    return pay, (gateway_store.db, merchant_store.db)


def asgi_flow():
    from paycore.payment.runtime.world import build_world

    world = build_world(
        data_dir=_scratch(),
        gateway_key=bench_key(2048).native,
        gateway_encryption_key=_gateway_encryption_key(),
        merchant_key=_merchant_key(),
    )
    atexit.register(world.close)
    client = world.merchant_client()
    return _http_pay(client.post, world.notifier.deliver_due)


def http_flow():
    """The apps under uvicorn on loopback (stopped at exit), the notifier driven by the benchmark."""
    import httpx

    from paycore.tools.serve import start

    servers = start(
        "127.0.0.1", _free_port(), _free_port(), _scratch(), deliver_every=10**6, echo=lambda *a: None
    )
    servers.wait_until_ready()
    atexit.register(servers.shutdown)
    client = httpx.Client(base_url=servers.merchant_url, timeout=30)
    atexit.register(client.close)
    return _http_pay(client.post, servers.notifier.deliver_due)


def _http_pay(post, deliver):
    headers = {"X-User-Id": "alice"}

    def pay() -> None:
        order = post("/orders", json={"items": ITEMS, "currency": "CNY"}, headers=headers).json()
        paid = post(
            f"/orders/{order['order_id']}/pay",
            headers=headers,
            json={"amount": order["amount"], "method": CARD},
        ).json()
        if paid.get("status") != "PAID":
            raise RuntimeError(f"benchmark payment did not succeed: {paid}")
        deliver()

    return pay


def _merchant_key():
    from paycore import secure

    return _merchant_key.cached if hasattr(_merchant_key, "cached") else _cache(secure.generate_private_key())


@functools.cache
def _gateway_encryption_key():
    """The gateway's second key pair (it opens envelopes; its signing key is ``bench_key(2048)``)."""
    from paycore import secure

    return secure.generate_private_key()


def _cache(key):
    _merchant_key.cached = key
    return key


def durable_commit():
    path = _scratch() / "commit.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("CREATE TABLE t (x INTEGER)")

    def commit() -> None:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO t VALUES (1)")
        connection.execute("COMMIT")

    return commit
