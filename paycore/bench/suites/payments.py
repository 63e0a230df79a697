"""Benchmark suite ``payments``: payments per second end to end, and the bound the crypto sets.

One payment here is the whole of the seed article's flow (3.1 to 3.6): the user's order, the
merchant's signed and sealed request, the gateway's checks, debit and signed answer, the merchant's
update, and the signed notification delivered and deduplicated. It needs four RSA-2048 private-key
operations (the merchant's request signature, the gateway's envelope decryption, its answer's and
its notification's signatures); nothing can be faster than those plus one durable commit -- the
**crypto bound**, measured in the same run. The issue asks for at least 60% of it in process.

Three ways to run the same flow, to show where the time goes:

* **direct**: the services call each other's handlers with the same bytes (no web framework);
* **ASGI**: through the real FastAPI apps, in process (httpx's ASGI transport, no sockets);
* **HTTP**: the apps under uvicorn on loopback, over TCP, as ``paycore serve`` runs them.

All three use SQLite files with ``synchronous=FULL`` where money moves, as in production.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import socket
import sqlite3
import tempfile
from pathlib import Path

from paycore.bench.harness import Case, Result
from paycore.bench.ratios import Lookup, Ratio, present
from paycore.bench.suites._keys import bench_key

NAME = "payments"
TITLE = "payments per second end to end (direct, ASGI, HTTP) against the crypto bound"
QUESTION = (
    "How many payments per second does paycore's flow sustain on one machine, how close is that to "
    "what its four RSA private-key operations allow, and where does the rest of the time go?"
)

PRIVATE_OPS_PER_PAYMENT = 4
DURABLE_COMMITS_PER_PAYMENT = 2
BOUND_TARGET = 0.6
HTTP_BOUND_TARGET = 0.35
"""Over HTTP on loopback, one payment at a time: what the web layer (server, validation, JSON) may cost."""
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


def _direct_flow(durable_storage: bool = True):
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


def _asgi_flow():
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


def _http_flow():
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


def _durable_commit():
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


def cases(quick: bool = False) -> list[Case]:
    """The three end-to-end flows and the parts of the crypto bound."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = bench_key(2048).native
    message = b"POST\n/v1/payments\n1764201600\n" + b"0" * 32 + b"\n" + b"f" * 64 + b"\n"
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    wrapped = key.public_key().encrypt(bytes(32), oaep)
    direct, _ = _direct_flow()
    in_memory, _ = _direct_flow(durable_storage=False)
    params = {"bits": 2048}
    return [
        Case("payment end to end, direct", "payment", direct, {**params, "path": "direct"}, together="bound"),
        Case(
            "payment end to end, direct, in-memory storage",
            "payment",
            in_memory,
            {**params, "path": "direct-memory"},
            together="bound",
        ),
        Case(
            "payment end to end, ASGI", "payment", _asgi_flow(), {**params, "path": "asgi"}, together="bound"
        ),
        Case(
            "payment end to end, HTTP loopback",
            "payment",
            _http_flow(),
            {**params, "path": "http"},
            together="bound",
        ),
        Case(
            "RSA-2048 PSS sign (cryptography)",
            "bound",
            lambda: key.sign(message, pss, hashes.SHA256()),
            {**params, "part": "sign"},
            together="bound",
        ),
        Case(
            "RSA-2048 OAEP decrypt (cryptography)",
            "bound",
            lambda: key.decrypt(wrapped, oaep),
            {**params, "part": "decrypt"},
            together="bound",
        ),
        Case(
            "SQLite durable commit (WAL, synchronous=FULL)",
            "bound",
            _durable_commit(),
            {"part": "commit"},
            together="bound",
        ),
    ]


def bound_seconds(look: Lookup) -> float | None:
    """Seconds per payment that the crypto and one durable commit alone would take."""
    sign = look.seconds("RSA-2048 PSS sign (cryptography)")
    decrypt = look.seconds("RSA-2048 OAEP decrypt (cryptography)")
    commit = look.seconds("SQLite durable commit (WAL, synchronous=FULL)")
    if None in (sign, decrypt, commit):
        return None
    return (PRIVATE_OPS_PER_PAYMENT - 1) * sign + decrypt + commit


def where_the_time_goes(look: Lookup) -> str | None:
    """One direct payment split into crypto, durable commits (one per party) and everything else."""
    rate = look.rate("payment end to end, direct")
    sign = look.seconds("RSA-2048 PSS sign (cryptography)")
    decrypt = look.seconds("RSA-2048 OAEP decrypt (cryptography)")
    commit = look.seconds("SQLite durable commit (WAL, synchronous=FULL)")
    if None in (rate, sign, decrypt, commit):
        return None
    total = 1000 / rate
    crypto = 1000 * ((PRIVATE_OPS_PER_PAYMENT - 1) * sign + decrypt)
    commits = 1000 * DURABLE_COMMITS_PER_PAYMENT * commit
    rest = total - crypto - commits
    return (
        f"where a direct payment's {total:.2f} ms go: {crypto:.2f} ms in its 4 RSA private-key operations, "
        f"{commits:.2f} ms in {DURABLE_COMMITS_PER_PAYMENT} durable commits (one per party: the merchant "
        f"records PAYING before its request leaves, the gateway the debit), {rest:.2f} ms in everything "
        "else (JSON, validation, signature headers, the other SQL statements and non-durable commits)"
    )


def ratios(results: list[Result]) -> list[Ratio]:
    """The share of the crypto bound each path reaches, and what durability and the web stack cost."""
    look = Lookup(results)
    found: list[Ratio | None] = []
    bound = bound_seconds(look)
    breakdown = where_the_time_goes(look) or ""
    if bound is not None:
        for path, key, target in (
            ("direct", "direct", BOUND_TARGET),
            ("direct, in-memory storage", "memory", None),
            ("ASGI", "asgi", None),
            ("HTTP loopback", "http", HTTP_BOUND_TARGET),
        ):
            rate = look.rate(f"payment end to end, {path}")
            if rate is None:
                continue
            note = (
                f"one payment takes {1000 / rate:.2f} ms; its 4 private-key operations and one durable "
                f"commit take {1000 * bound:.2f} ms" + (f"; {breakdown}" if key == "direct" else "")
            )
            found.append(
                Ratio(
                    f"payments_{key}_vs_bound",
                    f"paycore's flow ({path}) reaches {{x}} of the crypto bound",
                    rate * bound,
                    f"payment end to end, {path}",
                    "crypto bound",
                    at_least=target,
                    source="issue 4" if key == "direct" else "",
                    note=note,
                )
            )
    found.append(
        look.ratio(
            "memory_vs_durable",
            "durable storage costs {x}: in-memory vs SQLite files, direct",
            "payment end to end, direct, in-memory storage",
            "payment end to end, direct",
        )
    )
    found.append(
        look.ratio(
            "direct_vs_asgi",
            "the FastAPI apps in process cost {x}: direct vs ASGI",
            "payment end to end, direct",
            "payment end to end, ASGI",
        )
    )
    found.append(
        look.ratio(
            "asgi_vs_http",
            "real HTTP on loopback costs {x}: ASGI vs uvicorn over TCP",
            "payment end to end, ASGI",
            "payment end to end, HTTP loopback",
        )
    )
    return present(*found)
