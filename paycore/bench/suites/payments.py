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

from pathlib import Path

from paycore.bench.breakdown import Breakdown, Part
from paycore.bench.harness import Case, Result
from paycore.bench.ratios import Lookup, Ratio, present
from paycore.bench.suites._flows import asgi_flow, direct_flow, durable_commit, http_flow
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
MIN_TIME = 0.2
"""Seconds per repeat for every case of the bound batch, even in a quick run: one payment takes
milliseconds and flushes the disk twice, so a 0.04 s repeat would hold too few of them."""


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
    direct, _ = direct_flow()
    in_memory, _ = direct_flow(durable_storage=False)
    params = {"bits": 2048}
    return [
        Case(
            "payment end to end, direct",
            "payment",
            direct,
            {**params, "path": "direct"},
            together="bound",
            min_time=MIN_TIME,
        ),
        Case(
            "payment end to end, direct, in-memory storage",
            "payment",
            in_memory,
            {**params, "path": "direct-memory"},
            together="bound",
            min_time=MIN_TIME,
        ),
        Case(
            "payment end to end, ASGI",
            "payment",
            asgi_flow(),
            {**params, "path": "asgi"},
            together="bound",
            min_time=MIN_TIME,
        ),
        Case(
            "payment end to end, HTTP loopback",
            "payment",
            http_flow(),
            {**params, "path": "http"},
            together="bound",
            min_time=MIN_TIME,
        ),
        Case(
            "RSA-2048 PSS sign (cryptography)",
            "bound",
            lambda: key.sign(message, pss, hashes.SHA256()),
            {**params, "part": "sign"},
            together="bound",
            min_time=MIN_TIME,
        ),
        Case(
            "RSA-2048 OAEP decrypt (cryptography)",
            "bound",
            lambda: key.decrypt(wrapped, oaep),
            {**params, "part": "decrypt"},
            together="bound",
            min_time=MIN_TIME,
        ),
        Case(
            "RSA-2048 PSS verify (cryptography)",
            "public",
            lambda: public.verify(signature, message, pss, hashes.SHA256()),
            {**params, "part": "verify"},
            together="bound",
            min_time=MIN_TIME,
        ),
        Case(
            "RSA-2048 OAEP encrypt (cryptography)",
            "public",
            lambda: public.encrypt(bytes(32), oaep),
            {**params, "part": "encrypt"},
            together="bound",
            min_time=MIN_TIME,
        ),
        Case(
            "SQLite durable commit (WAL, synchronous=FULL)",
            "bound",
            durable_commit(),
            {"part": "commit"},
            together="bound",
            min_time=MIN_TIME,
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
            target = {"direct": BOUND_TARGET, "http": HTTP_BOUND_TARGET}.get(key)
            found.append(_bound_ratio(look, path, key, bound, target))
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
