"""Measure one operation honestly: calibrate, warm up, repeat, report the median and spread.

The harness times a callable in *repeats*; each repeat runs the callable ``loops`` times, with
``loops`` calibrated so that a repeat lasts at least ``min_time`` seconds (timer resolution and
call overhead then vanish). The calibration runs double as the warm-up and are discarded.
Operations per second are computed per repeat, and we report their median (robust against a
noisy neighbour) and the spread (min, max and the relative interquartile range).

As :mod:`timeit` does, the garbage collector is paused while a repeat runs, so a collection
triggered by someone else's garbage does not land in one sample and not another.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Case:
    """One thing to measure: ``fn()`` performs one operation.

    ``group`` names the comparison it belongs to; ``params`` records what was varied (key
    size, library, operation) and is what plots and ratios select on; ``bytes_per_op`` turns
    ops/s into MB/s. ``repeats`` overrides the run's default. ``loops`` fixes the loop count,
    skipping calibration and warm-up: for key generation, a random search of seconds whose
    every call is a fresh sample. ``reports_rate`` means ``fn()`` runs an outside tool that
    measures itself (``openssl speed``) and returns its operations per second. Cases of a suite
    with the same ``together`` label are measured in turns (:func:`measure_together`).
    ``min_time`` overrides the run's repeat length for a case whose single call is slow and
    uneven (a whole payment, with its disk flushes), so that even a quick run averages enough calls.
    """

    name: str
    group: str
    fn: Callable[[], object]
    params: dict = field(default_factory=dict)
    bytes_per_op: int | None = None
    repeats: int | None = None
    loops: int | None = None
    reports_rate: bool = False
    together: str = ""
    min_time: float | None = None


@dataclass(frozen=True)
class Skipped:
    """A case a suite could not run here (a module not written yet, a missing tool), and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class Result:
    """What :func:`measure` found for one :class:`Case` (all rates in operations per second)."""

    name: str
    group: str
    params: dict
    loops: int | None
    repeats: int
    median_ops: float
    min_ops: float
    max_ops: float
    rel_iqr: float
    samples: list[float]
    bytes_per_op: int | None = None

    @property
    def median_seconds_per_op(self) -> float:
        return 1.0 / self.median_ops

    @property
    def median_mb_per_s(self) -> float | None:
        """Throughput in MB/s (10^6 bytes) where the case moves bytes."""
        if self.bytes_per_op is None:
            return None
        return self.median_ops * self.bytes_per_op / 1e6

    def to_dict(self) -> dict:
        """A JSON-ready record, derived values included."""
        record = asdict(self)
        record["median_seconds_per_op"] = self.median_seconds_per_op
        record["median_mb_per_s"] = self.median_mb_per_s
        return record

    @classmethod
    def from_dict(cls, record: dict) -> Result:
        """Rebuild a result from :meth:`to_dict` output (derived values are recomputed)."""
        names = cls.__dataclass_fields__
        return cls(**{key: value for key, value in record.items() if key in names})


def _time_loops(fn: Callable[[], object], loops: int, clock: Callable[[], float]) -> float:
    collecting = gc.isenabled()
    gc.disable()
    try:
        start = clock()
        for _ in range(loops):
            fn()
        return clock() - start
    finally:
        if collecting:
            gc.enable()


def calibrate(
    fn: Callable[[], object], min_time: float, clock: Callable[[], float] = time.perf_counter
) -> int:
    """The smallest loop count (found by growing it) whose run lasts at least ``min_time`` seconds."""
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


def _one_repeat(case: Case, loops: int | None, clock: Callable[[], float]) -> float:
    if case.reports_rate:
        return float(case.fn())  # type: ignore[arg-type]
    assert loops is not None
    elapsed = _time_loops(case.fn, loops, clock)
    return loops / elapsed if elapsed > 0 else float("inf")


def measure_together(
    cases: Sequence[Case],
    *,
    min_time: float = 0.2,
    repeats: int = 5,
    clock: Callable[[], float] = time.perf_counter,
) -> list[Result]:
    """Measure cases in turns: calibrate each, then one repeat of each per round.

    Two cases whose *ratio* is the point (a wrapper and the call it wraps, padding and the raw
    operation) should see the same machine. Timed one after the other, a burst of load from a
    neighbour can land on one and not the other; timed in turns, it lands on both alike.
    """
    counts = [case.repeats or repeats for case in cases]
    if not cases or min(counts) < 1:
        raise ValueError(f"repeats must be at least 1, got {min(counts, default=0)}")
    loops = [
        None if case.reports_rate else case.loops or calibrate(case.fn, case.min_time or min_time, clock)
        for case in cases
    ]
    rates: list[list[float]] = [[] for _ in cases]
    for round_number in range(max(counts)):
        for index, case in enumerate(cases):
            if round_number < counts[index]:
                rates[index].append(_one_repeat(case, loops[index], clock))
    return [_result(case, loops[index], rates[index]) for index, case in enumerate(cases)]


def measure(
    case: Case,
    *,
    min_time: float = 0.2,
    repeats: int = 5,
    clock: Callable[[], float] = time.perf_counter,
) -> Result:
    """Calibrate (the calibration runs are the warm-up), repeat, and summarize one case."""
    return measure_together([case], min_time=min_time, repeats=repeats, clock=clock)[0]


def _result(case: Case, loops: int | None, rates: list[float]) -> Result:
    if not all(rate > 0 for rate in rates):
        raise ValueError(f"case {case.name!r} gave a non-positive rate: {rates}")
    summary = summarize(rates)
    return Result(
        name=case.name,
        group=case.group,
        params=dict(case.params),
        loops=loops,
        repeats=len(rates),
        median_ops=summary["median"],
        min_ops=summary["min"],
        max_ops=summary["max"],
        rel_iqr=summary["rel_iqr"],
        samples=rates,
        bytes_per_op=case.bytes_per_op,
    )
