"""Measure one operation honestly: calibrate, warm up, repeat, report the median and spread.

The harness times a callable in *repeats*; each repeat runs the callable ``loops`` times, with
``loops`` calibrated so that a repeat lasts at least ``min_time`` seconds (timer resolution and
call overhead then vanish). The first run is a warm-up and is discarded. Operations per second
are computed per repeat, and we report their median (robust against a noisy neighbour) and the
spread (min, max and the relative interquartile range).
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata


@dataclass(frozen=True)
class Case:
    """One thing to measure: ``fn()`` performs one operation.

    ``group`` names the comparison it belongs to (for ratios and plots); ``params`` records
    what was varied (key size, padding, library); ``bytes_per_op`` turns ops/s into MB/s.
    ``repeats`` overrides the run's default for operations whose time varies by nature
    (key generation is a random search: its median needs more samples).
    """

    name: str
    group: str
    fn: Callable[[], object]
    params: dict = field(default_factory=dict)
    bytes_per_op: int | None = None
    repeats: int | None = None


@dataclass(frozen=True)
class Result:
    """What :func:`measure` found for one :class:`Case` (all rates in operations per second)."""

    name: str
    group: str
    params: dict
    loops: int
    repeats: int
    median_ops: float
    min_ops: float
    max_ops: float
    rel_iqr: float
    median_seconds_per_op: float
    bytes_per_op: int | None = None

    @property
    def median_mb_per_s(self) -> float | None:
        """Throughput in MB/s (10^6 bytes) where the case moves bytes."""
        if self.bytes_per_op is None:
            return None
        return self.median_ops * self.bytes_per_op / 1e6

    def to_dict(self) -> dict:
        """A JSON-ready record, throughput included."""
        record = asdict(self)
        record["median_mb_per_s"] = self.median_mb_per_s
        return record


def _time_loops(fn: Callable[[], object], loops: int, clock: Callable[[], float]) -> float:
    start = clock()
    for _ in range(loops):
        fn()
    return clock() - start


def calibrate(
    fn: Callable[[], object], min_time: float, clock: Callable[[], float] = time.perf_counter
) -> int:
    """The smallest power-of-two-ish loop count whose run lasts at least ``min_time`` seconds."""
    if min_time <= 0:
        raise ValueError(f"min_time must be positive, got {min_time}")
    loops = 1
    while True:
        elapsed = _time_loops(fn, loops, clock)
        if elapsed >= min_time:
            return loops
        if elapsed <= 0:
            loops *= 10
            continue
        # Aim 20% past the target so we rarely need another round; never grow more than 10x.
        loops = max(loops + 1, min(loops * 10, int(loops * 1.2 * min_time / elapsed)))


def summarize(ops_per_second: list[float]) -> dict:
    """Median, min, max and relative interquartile range of per-repeat rates.

    >>> summary = summarize([90.0, 100.0, 110.0, 100.0, 100.0])
    >>> summary["median"], summary["min"], summary["max"]
    (100.0, 90.0, 110.0)
    """
    if not ops_per_second:
        raise ValueError("no measurements to summarize")
    median = statistics.median(ops_per_second)
    if len(ops_per_second) >= 4:
        q1, _, q3 = statistics.quantiles(ops_per_second, n=4)
        rel_iqr = (q3 - q1) / median if median else 0.0
    else:
        rel_iqr = (max(ops_per_second) - min(ops_per_second)) / median if median else 0.0
    return {"median": median, "min": min(ops_per_second), "max": max(ops_per_second), "rel_iqr": rel_iqr}


def measure(
    case: Case,
    *,
    min_time: float = 0.2,
    repeats: int = 5,
    clock: Callable[[], float] = time.perf_counter,
) -> Result:
    """Calibrate, warm up (the calibration runs are the warm-up), repeat, and summarize."""
    repeats = case.repeats or repeats
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    loops = calibrate(case.fn, min_time, clock)
    rates = []
    for _ in range(repeats):
        elapsed = _time_loops(case.fn, loops, clock)
        rates.append(loops / elapsed if elapsed > 0 else float("inf"))
    summary = summarize(rates)
    return Result(
        name=case.name,
        group=case.group,
        params=dict(case.params),
        loops=loops,
        repeats=repeats,
        median_ops=summary["median"],
        min_ops=summary["min"],
        max_ops=summary["max"],
        rel_iqr=summary["rel_iqr"],
        median_seconds_per_op=1.0 / summary["median"],
        bytes_per_op=case.bytes_per_op,
    )


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def machine_info(
    packages: tuple[str, ...] = ("paycore", "cryptography", "rsa", "pycryptodome", "gmpy2", "sympy"),
) -> dict:
    """Everything needed to reproduce a result: machine, CPU, Python, OpenSSL, library versions, command."""
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        openssl = backend.openssl_version_text()
    except Exception:  # pragma: no cover - cryptography is a hard dependency
        openssl = None
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "openssl_in_cryptography": openssl,
        "packages": {name: _version(name) for name in packages},
        "command": " ".join([os.path.basename(sys.argv[0]), *sys.argv[1:]]),
    }
