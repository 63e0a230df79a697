"""Benchmark suite ``payments``: payments per second end to end, and the bound the crypto sets.

One payment here is the whole of the seed article's flow (3.1 to 3.6): the user's order, the
merchant's signed and sealed request, the gateway's checks, debit and signed answer, the merchant's
update, and the signed notification delivered and deduplicated. It needs four RSA-2048 private-key
operations (the merchant's request signature, the gateway's envelope decryption, its answer's and
its notification's signatures); nothing can be faster than those plus one durable commit -- the
**crypto bound**, measured in the same run. The target: at least 60% of it, in process.

Three ways to run the same flow, to show where the time goes:

* **direct**: the services call each other's handlers with the same bytes (no web framework);
* **ASGI**: through the real FastAPI apps, in process (httpx's ASGI transport, no sockets);
* **HTTP**: the apps under uvicorn on loopback, over TCP, as ``paycore serve`` runs them.

All three use SQLite files with ``synchronous=FULL`` where money moves, as in production.
"""

from __future__ import annotations

import atexit
import shutil
import socket
import sqlite3
import tempfile
from pathlib import Path

from paycore.bench.breakdown import Breakdown, Part
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

    world = build_world(data_dir=_scratch(), gateway_key=bench_key(2048).native, merchant_key=_merchant_key())
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
    public = key.public_key()
    wrapped = public.encrypt(bytes(32), oaep)
    signature = key.sign(message, pss, hashes.SHA256())
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
            "RSA-2048 PSS verify (cryptography)",
            "public",
            lambda: public.verify(signature, message, pss, hashes.SHA256()),
            {**params, "part": "verify"},
            together="bound",
        ),
        Case(
            "RSA-2048 OAEP encrypt (cryptography)",
            "public",
            lambda: public.encrypt(bytes(32), oaep),
            {**params, "part": "encrypt"},
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


SIGN, DECRYPT = "RSA-2048 PSS sign (cryptography)", "RSA-2048 OAEP decrypt (cryptography)"
VERIFY, ENCRYPT = "RSA-2048 PSS verify (cryptography)", "RSA-2048 OAEP encrypt (cryptography)"
COMMIT = "SQLite durable commit (WAL, synchronous=FULL)"
PATHS = ("direct", "direct, in-memory storage", "ASGI", "HTTP loopback")


def _flow(path: str) -> str:
    return f"payment end to end, {path}"


def bound_seconds(look: Lookup) -> float | None:
    """Seconds per payment that the crypto and one durable commit alone would take."""
    sign, decrypt, commit = look.seconds(SIGN), look.seconds(DECRYPT), look.seconds(COMMIT)
    if None in (sign, decrypt, commit):
        return None
    return (PRIVATE_OPS_PER_PAYMENT - 1) * sign + decrypt + commit


def breakdown(results: list[Result]) -> Breakdown | None:
    """One payment over HTTP split into crypto, the services' own work, storage, the web layer and TCP.

    Each layer is the difference of two flows of this run (with and without durable files, with and
    without the FastAPI apps, with and without sockets); the crypto is the measured operations.
    """
    look = Lookup(results)
    ms = {name: 1000 * look.seconds(name) for name in (SIGN, DECRYPT, VERIFY, ENCRYPT) if name in look}
    flows = {path: 1000 * look.seconds(_flow(path)) for path in PATHS if _flow(path) in look}
    if len(ms) < 4 or len(flows) < len(PATHS):
        return None
    private = (PRIVATE_OPS_PER_PAYMENT - 1) * ms[SIGN] + ms[DECRYPT]
    public = 3 * ms[VERIFY] + ms[ENCRYPT]
    direct, memory, asgi, http = (flows[path] for path in PATHS)
    parts = (
        Part("RSA private-key operations", private, "3 PSS signatures + 1 OAEP decryption, timed alone"),
        Part("RSA public-key operations", public, "3 PSS verifications + 1 OAEP encryption, timed alone"),
        Part(
            "the services' own work",
            memory - private - public,
            "direct flow on in-memory SQLite, less the RSA: JSON, validation, headers, SQL",
        ),
        Part("durable storage", direct - memory, "direct flow on SQLite files less the same in memory"),
        Part("the web layer (FastAPI, in process)", asgi - direct, "ASGI flow less the direct flow"),
        Part("TCP on loopback (uvicorn)", http - asgi, "HTTP flow less the ASGI flow"),
    )
    return Breakdown("where one payment's time goes", "one payment over HTTP", http, parts)


def _bound_ratio(look: Lookup, path: str, key: str, bound: float, target: float | None) -> Ratio | None:
    rate = look.rate(_flow(path))
    if rate is None:
        return None
    note = (
        f"one payment takes {1000 / rate:.2f} ms; its 4 private-key operations and one durable commit "
        f"take {1000 * bound:.2f} ms. A flow that includes those operations cannot beat them, so a "
        "share over 1 means the run was too noisy."
    )
    return Ratio(
        f"payments_{key}_vs_bound",
        f"paycore's flow ({path}) reaches {{x}} of the crypto bound",
        rate * bound,
        _flow(path),
        "crypto bound",
        at_least=target,
        note=note,
        possible_max=1.0,
        spread=look.spread(_flow(path), SIGN, DECRYPT, COMMIT),
    )


def ratios(results: list[Result]) -> list[Ratio]:
    """The share of the crypto bound each path reaches, and what durability and the web stack cost.

    Each of these compares a flow with one that does strictly less, so none can be below 1 (nor a
    share of the bound above 1) except by noise.
    """
    look = Lookup(results)
    found: list[Ratio | None] = []
    bound = bound_seconds(look)
    if bound is not None:
        for path, key in zip(PATHS, ("direct", "memory", "asgi", "http"), strict=True):
            found.append(_bound_ratio(look, path, key, bound, BOUND_TARGET if key == "direct" else None))
    for key, headline, faster, slower in (
        ("memory_vs_durable", "durable storage costs {x}: in-memory vs SQLite files, direct", 1, 0),
        ("direct_vs_asgi", "the FastAPI apps in process cost {x}: direct vs ASGI", 0, 2),
        ("asgi_vs_http", "real HTTP on loopback costs {x}: ASGI vs uvicorn over TCP", 2, 3),
    ):
        found.append(look.ratio(key, headline, _flow(PATHS[faster]), _flow(PATHS[slower]), possible_min=1.0))
    return present(*found)


def plot(results: list[Result], out: Path) -> list[Path]:
    """Where one payment's time goes, as one stacked bar per path (only when the split holds)."""
    split = breakdown(results)
    if split is None or not split.consistent:
        return []
    from paycore.bench import plotting

    return [plotting.save(plotting.breakdown_chart(split), out / "payment_time.png")]
