"""From a recorded run to a decision: which signature, where a payment's time goes, and what a running
server does under load.

Notebook 08 and the benchmark README read a run through these helpers, so their tables come from
the numbers of one results file, never typed by hand. What a run cannot measure -- the security
level of a scheme, what the Chinese gateways require, what protocol ``paycore/1`` accepts -- is
stated here once, with its source.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import paycore
from paycore.bench.breakdown import Breakdown
from paycore.bench.harness import Result
from paycore.bench.results_io import load_json

SIGNS_PER_PAYMENT = {"merchant": 1, "gateway": 2}
"""Signatures each party makes per payment: the merchant its request, the gateway its answer and notice."""
VERIFIES_PER_PAYMENT = {"merchant": 2, "gateway": 1}
"""Signatures each party checks per payment: the merchant the answer and notice, the gateway the request."""

GATEWAYS = {
    "RSA-2048 PKCS#1 v1.5": "Alipay and WeChat Pay require it (RSA2: SHA-256, 2048-bit key)",
    "HMAC-SHA256": "WeChat Pay's older API v2 offers it (a key both sides share)",
}
"""What the Chinese gateways ask for (their open-platform documentation): both sign with RSA2."""

PAYCORE_NAMES = {"PSS": "RSA-PSS-SHA256", "PKCS#1 v1.5": "RSA-PKCS1v15-SHA256"}
"""The schemes protocol paycore/1 accepts (any RSA key of 2048 bits or more); nothing else."""

HEADER_NAMES = ("Paycore-Key-Id", "Paycore-Timestamp", "Paycore-Nonce", "Paycore-Signature-Algorithm")
KEY_ID_HEX, TIMESTAMP_DIGITS, NONCE_HEX = 64, 10, 32


RUNS = {
    "full": Path("results.json"),
    "quick": Path("quick") / "results.json",
    "scale": Path("scale") / "results.json",
}
"""The committed runs under ``benchmarks/results/``: the last full run, the last quick run, and the
last run of the ``payments`` and ``load`` suites against a running ``paycore serve``."""
COURSE_RUN = "quick"
"""The run notebook 08 and the READMEs read: the most recent one, which includes every suite as the
code stands (the full run predates the payment package's present layout)."""
LOAD_RUN = "scale"
"""The run notebook 08 reads for the server under load: ``paycore bench --suite payments,load``, recorded
on its own because its PostgreSQL levels need a database server and it takes minutes, not seconds."""


def recorded_results(which: str = COURSE_RUN) -> Path:
    """A committed run's ``results.json`` (``benchmarks/results/``), found from the package itself.

    It works from any working directory of a source checkout (an editable install), which is
    where the committed runs live; an installed wheel has no ``benchmarks/`` and gets a clear error.
    """
    if which not in RUNS:
        raise ValueError(f"no recorded run {which!r}; there are {', '.join(RUNS)}")
    path = Path(paycore.__file__).resolve().parent.parent / "benchmarks" / "results" / RUNS[which]
    if not path.exists():
        raise FileNotFoundError(
            f"no recorded benchmark run at {path}: the runs are committed in the source repository "
            "(benchmarks/results/); make your own with `paycore bench --out DIR`"
        )
    return path


def load_recorded(which: str = COURSE_RUN) -> dict:
    """A committed run record (see :func:`recorded_results`)."""
    return load_json(recorded_results(which))


def suite(record: dict, name: str) -> dict:
    """One suite's entry of a run record (``KeyError`` naming the suites there are)."""
    for entry in record["suites"]:
        if entry["name"] == name:
            return entry
    raise KeyError(f"the run has no suite {name!r}; it has {', '.join(s['name'] for s in record['suites'])}")


def results(record: dict, name: str) -> dict[str, Result]:
    """One suite's results by case name."""
    return {row["name"]: Result.from_dict(row) for row in suite(record, name)["results"]}


@dataclass(frozen=True)
class SignatureChoice:
    """One row of the signature decision table."""

    scheme: str
    security_bits: int
    sign_per_s: float
    verify_per_s: float
    public_key_bytes: int
    signature_bytes: int
    header_bytes: int
    merchant_us: float
    gateway_us: float
    gateways: str
    paycore: str


def header_bytes(scheme_name: str, signature_bytes: int) -> int:
    """Bytes the five signature headers add to one HTTP message (``Name: value`` and CRLF each)."""
    values = ("k" * KEY_ID_HEX, "1" * TIMESTAMP_DIGITS, "n" * NONCE_HEX, scheme_name)
    fixed = sum(len(f"{name}: {value}\r\n") for name, value in zip(HEADER_NAMES, values, strict=True))
    return fixed + len("Paycore-Signature: \r\n") + len(base64.b64encode(bytes(signature_bytes)))


def _paycore_name(scheme: str) -> str | None:
    if not scheme.startswith("RSA-"):
        return None
    return next((name for suffix, name in PAYCORE_NAMES.items() if scheme.endswith(suffix)), None)


def signature_choices(record: dict) -> list[SignatureChoice]:
    """Every scheme of the run's ``signatures`` suite, with its strength, speed, sizes and cost per party."""
    found = results(record, "signatures")
    rows = []
    for name, signer in found.items():
        if not name.endswith(" sign"):
            continue
        scheme = name.removesuffix(" sign")
        checker = found[f"{scheme} verify"]
        params = signer.params
        sign_us, verify_us = 1e6 / signer.median_ops, 1e6 / checker.median_ops
        accepted = _paycore_name(scheme)
        rows.append(
            SignatureChoice(
                scheme=scheme,
                security_bits=params["security_bits"],
                sign_per_s=signer.median_ops,
                verify_per_s=checker.median_ops,
                public_key_bytes=params["public_key_bytes"],
                signature_bytes=params["signature_bytes"],
                header_bytes=header_bytes(accepted or scheme, params["signature_bytes"]),
                merchant_us=SIGNS_PER_PAYMENT["merchant"] * sign_us
                + VERIFIES_PER_PAYMENT["merchant"] * verify_us,
                gateway_us=SIGNS_PER_PAYMENT["gateway"] * sign_us
                + VERIFIES_PER_PAYMENT["gateway"] * verify_us,
                gateways=GATEWAYS.get(scheme, "-"),
                paycore=f"yes ({accepted})" if accepted else "no",
            )
        )
    return rows


def format_choices(rows: list[SignatureChoice]) -> str:
    """The decision table as fixed-width text (what notebook 08 prints)."""
    head = (
        f"{'scheme':22} {'bits':>4} {'sign/s':>8} {'verify/s':>9} {'key B':>6} {'sig B':>5} "
        f"{'hdr B':>5} {'merch. us':>9} {'gateway us':>10}"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        lines.append(
            f"{row.scheme:22} {row.security_bits:>4} {row.sign_per_s:>8,.0f} {row.verify_per_s:>9,.0f} "
            f"{row.public_key_bytes:>6} {row.signature_bytes:>5} {row.header_bytes:>5} "
            f"{row.merchant_us:>9,.0f} {row.gateway_us:>10,.0f}"
        )
    return "\n".join(lines)


def format_acceptance(rows: list[SignatureChoice]) -> str:
    """Who takes each scheme: the Chinese gateways, and protocol paycore/1."""
    lines = [f"{'scheme':22} {'paycore/1':32} Chinese gateways"]
    lines += [f"{row.scheme:22} {row.paycore:32} {row.gateways}" for row in rows]
    return "\n".join(lines)


def payment_time(record: dict) -> Breakdown | None:
    """The run's split of one payment's time (the ``payments`` suite's breakdown), if it has one."""
    entry = suite(record, "payments")
    return Breakdown.from_dict(entry["breakdown"]) if entry.get("breakdown") else None


def payment_rates(record: dict) -> list[tuple[str, float]]:
    """Payments per second on one core: what RSA alone would allow, then each measured path."""
    found = results(record, "payments")

    def us(name: str) -> float:
        return 1e6 / found[name].median_ops

    rsa_alone = (
        3 * us("RSA-2048 PSS sign (cryptography)")
        + us("RSA-2048 OAEP decrypt (cryptography)")
        + 3 * us("RSA-2048 PSS verify (cryptography)")
        + us("RSA-2048 OAEP encrypt (cryptography)")
    )
    rows = [("RSA alone (4 private- and 4 public-key operations)", 1e6 / rsa_alone)]
    for path, label in (
        ("direct, in-memory storage", "the services, SQLite in memory"),
        ("direct", "the services, SQLite files (durable)"),
        ("ASGI", "through the FastAPI apps, in process"),
        ("HTTP loopback", "over HTTP on loopback (uvicorn)"),
    ):
        rows.append((label, found[f"payment end to end, {path}"].median_ops))
    return rows


@dataclass(frozen=True)
class LoadLevel:
    """One level of the ``load`` suite: ``paycore serve --workers N`` on one database, under a number of
    virtual users that create and pay orders with no pause (a closed loop), measured for some seconds."""

    database: str
    workers: int
    users: int
    per_second: float
    """Payments completed per second (each one an order created and paid: two requests)."""
    p50_ms: float
    mean_ms: float
    p95_ms: float
    p99_ms: float
    """Percentiles and mean of one payment's latency, in milliseconds."""
    payments: int
    errors: int
    load_average: float | None
    """The machine's 1-minute load average as the level started (other work shares the cores)."""


def load_levels(record: dict) -> list[LoadLevel]:
    """The levels of the run's ``load`` suite, in the order they were measured.

    The stored-history levels (the same level on a database already holding past payments) are left
    out: they answer another question, and the suite's ``load_*_stored_*`` ratios compare them.
    """
    levels = []
    for row in results(record, "load").values():
        params = row.params
        if params.get("growth"):
            continue
        load = params.get("load_average")
        levels.append(
            LoadLevel(
                database=params["database"],
                workers=params["workers"],
                users=params["users"],
                per_second=row.median_ops,
                p50_ms=params["p50_ms"],
                mean_ms=params["mean_ms"],
                p95_ms=params["p95_ms"],
                p99_ms=params["p99_ms"],
                payments=params["payments"],
                errors=params["errors"],
                load_average=load[0] if load else None,
            )
        )
    return levels


def format_load(levels: list[LoadLevel]) -> str:
    """The load levels as fixed-width text, one row per database, worker count and number of users."""
    head = (
        f"{'database':11} {'workers':>7} {'users':>5} {'payments/s':>10} {'p50 ms':>7} {'mean ms':>7} "
        f"{'p99 ms':>7} {'errors':>6} {'load avg':>8}"
    )
    lines = [head, "-" * len(head)]
    for level in levels:
        load = f"{level.load_average:.2f}" if level.load_average is not None else "?"
        lines.append(
            f"{level.database:11} {level.workers:>7} {level.users:>5} {level.per_second:>10,.0f} "
            f"{level.p50_ms:>7,.0f} {level.mean_ms:>7,.0f} {level.p99_ms:>7,.0f} {level.errors:>6} {load:>8}"
        )
    return "\n".join(lines)
