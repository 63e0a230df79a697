"""Benchmark suite ``load``: ``paycore serve`` under virtual users, with latency percentiles.

Each level starts a real ``paycore serve --workers N`` (the merchant in one process, the gateway in
N) on SQLite files or a fresh PostgreSQL database, and drives it with 1, 8, 32 and 64 virtual users
of locust (:mod:`paycore.bench.loadgen`, headless, in a process of its own), each creating an order
and paying it, again and again, with no pause: a closed loop, so the rate at many users is what
the server can do. Per level: payments per second, the p50/p95/p99 latency of a whole payment (two
requests), errors, and the CPU the load generator itself used -- it shares the machine, and its
share is part of the story on two cores.

A second part asks what stored work costs: the same level (2 workers, 32 users) on an empty database
and on one already holding 10,000 and 100,000 payments (:mod:`._stage`).

PostgreSQL levels need a server: ``PAYCORE_BENCH_DATABASE_URL`` (or ``PAYCORE_DATABASE_URL``) names
one the suite may create and drop databases in; without it they are listed as not measured. Each
level is measured once (a level is seconds of load, not one call): compare its numbers with the
load average recorded beside them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from paycore.bench.harness import Case, Result, Skipped
from paycore.bench.machine import load_average
from paycore.bench.ratios import Ratio
from paycore.bench.suites._stage import Stage

NAME = "load"
TITLE = (
    "payments per second and p50/p95/p99 latency under 1-64 virtual users, 1-2 workers, SQLite and PostgreSQL"
)
QUESTION = (
    "What do concurrency, a second worker and PostgreSQL buy a paycore server on this machine, what "
    "does a payment's latency become under load, and does the cost grow with the payments stored?"
)
USERS = (1, 8, 32, 64)
WORKERS = (1, 2)
GROWTH = {"users": 32, "workers": 2}
STORED = {"quick": (0, 10_000), "full": (0, 10_000, 100_000)}
GROWTH_DATABASES = {"quick": ("sqlite",), "full": ("sqlite", "postgresql")}
"""Quick runs ask the stored-history question of SQLite only: two server starts fewer, under two minutes."""
WINDOW = {"quick": (2.0, 0.5), "full": (15.0, 3.0)}
"""Seconds measured and seconds of warm-up before, per level."""
TARGETS = {"speedup": 2.0, "tail": 10.0, "growth": 0.9, "growth_p99": 1.1}


def database_url() -> str | None:
    """The PostgreSQL server the suite may create databases in, if one is named."""
    return os.environ.get("PAYCORE_BENCH_DATABASE_URL") or os.environ.get("PAYCORE_DATABASE_URL")


def case_name(database: str, workers: int, users: int, stored: int = 0) -> str:
    """``load, postgresql, 2 workers, 32 users`` (with the stored history, if any)."""
    name = f"load, {database}, {_plural(workers, 'worker')}, {_plural(users, 'user')}"
    return name + (f", {stored:,} payments stored" if stored else "")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _level(stage: Stage, users: int, window: tuple[float, float], params: dict, last: bool):
    """A case function: one level of load against ``stage``; its payments per second.

    The level's other figures (percentiles, errors, the generator's CPU, the load average) go into
    ``params``, which the harness copies into the result once the case has run.
    """
    seconds, warmup = window

    def run() -> float:
        try:
            stage.start()
            params["load_average"] = load_average()
            done = subprocess.run(
                [
                    sys.executable,
                    *("-m", "paycore.bench.loadgen", "--url", stage.url, "--users", str(users)),
                    *("--seconds", str(seconds), "--warmup", str(warmup)),
                ],
                capture_output=True,
                text=True,
                timeout=seconds + warmup + 120,
            )
        finally:
            if last:
                stage.stop()
        if done.returncode != 0:
            raise RuntimeError(f"the load generator failed: {done.stderr.strip()[-300:]}")
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        params.update({key: value for key, value in summary.items() if key != "users"})
        if not summary["payments"]:
            raise RuntimeError(f"no payment completed at {users} users: {summary['error_reasons']}")
        return summary["payments_per_second"]

    return run


def cases(quick: bool = False) -> list[Case | Skipped]:
    """Every level of every configuration, then the stored-history levels."""
    mode = "quick" if quick else "full"
    url = database_url()
    found: list[Case | Skipped] = []
    for database in ("sqlite", "postgresql"):
        if database == "postgresql" and url is None:
            found.append(
                Skipped(
                    "load on PostgreSQL",
                    "set PAYCORE_BENCH_DATABASE_URL to a PostgreSQL server the suite may create databases in "
                    "(a throw-away one: .ci/postgres start /tmp/paycore-pg)",
                )
            )
            continue
        target = url if database == "postgresql" else None
        for workers in WORKERS:
            stage = Stage(target, workers)
            for users in USERS:
                params = {"database": database, "workers": workers, "users": users, "stored": 0}
                found.append(
                    _case(database, workers, users, 0, stage, WINDOW[mode], params, users == USERS[-1])
                )
        for stored in STORED[mode] if database in GROWTH_DATABASES[mode] else ():
            stage = Stage(target, GROWTH["workers"], stored)
            params = {**GROWTH, "database": database, "stored": stored, "growth": True}
            found.append(
                _case(database, GROWTH["workers"], GROWTH["users"], stored, stage, WINDOW[mode], params, True)
            )
    return found


def _case(database, workers, users, stored, stage, window, params, last) -> Case:
    name = case_name(database, workers, users, stored)
    if params.get("growth"):
        name += " (history)" if stored else ", empty (history baseline)"
    return Case(
        name, "load", _level(stage, users, window, params, last), params, repeats=1, reports_rate=True
    )


# -- reading the results -------------------------------------------------------------------------------
def _levels(results: list[Result]) -> dict[tuple, Result]:
    return {
        (r.params["database"], r.params["workers"], r.params["users"]): r
        for r in results
        if not r.params.get("growth")
    }


def _describe(levels: dict[tuple, Result], database: str, workers: int) -> str:
    rows = [levels[key] for key in sorted(levels) if key[:2] == (database, workers)]
    parts = []
    for r in rows:
        p50, p95, p99 = (r.params.get(f"p{share}_ms", 0) for share in (50, 95, 99))
        cores, load = r.params.get("loadgen_cores", 0), (r.params.get("load_average") or ["?"])[0]
        parts.append(
            f"{r.params['users']} users: {r.median_ops:,.0f}/s, p50/p95/p99 {p50:.0f}/{p95:.0f}/{p99:.0f} "
            f"ms, {r.params.get('errors', 0)} errors, load generator {cores:.2f} cores, load average {load}"
        )
    return f"{database}, {workers} worker(s): " + "; ".join(parts)


def ratios(results: list[Result]) -> list[Ratio]:
    """What concurrency, workers and the database buy; the tail; errors; the cost of stored work."""
    levels, found = _levels(results), []
    for database in ("sqlite", "postgresql"):
        alone, busy = levels.get((database, 1, 1)), levels.get((database, 2, 32))
        if alone and busy:
            notes = " || ".join(_describe(levels, database, workers) for workers in WORKERS)
            found.append(
                Ratio(
                    f"load_{database}_2w32u_vs_1w1u",
                    f"{database}: 2 workers and 32 users pay {{x}} as fast as one user at a time",
                    busy.median_ops / alone.median_ops,
                    busy.name,
                    alone.name,
                    at_least=TARGETS["speedup"],
                    note=notes,
                )
            )
            if "p99_ms" in busy.params and "p50_ms" in alone.params:
                found.append(
                    Ratio(
                        f"load_{database}_tail",
                        f"{database}: p99 at 32 users (2 workers) is {{x}} the p50 of one user at a time",
                        busy.params["p99_ms"] / alone.params["p50_ms"],
                        busy.name,
                        alone.name,
                        kind="time",
                        at_most=TARGETS["tail"],
                        note=(
                            f"p99 {busy.params['p99_ms']:.1f} ms against p50 "
                            f"{alone.params['p50_ms']:.1f} ms; "
                            f"a closed loop of 32 users waits 32 / {busy.median_ops:.0f} per s = "
                            f"{32000 / busy.median_ops:.0f} ms per payment on average (Little's law)"
                        ),
                    )
                )
        one, two = levels.get((database, 1, 32)), levels.get((database, 2, 32))
        if one and two:
            found.append(
                Ratio(
                    f"load_{database}_workers",
                    f"{database}: at 32 users, a second worker pays {{x}} as fast",
                    two.median_ops / one.median_ops,
                    two.name,
                    one.name,
                )
            )
    sqlite, postgres = levels.get(("sqlite", 2, 32)), levels.get(("postgresql", 2, 32))
    if sqlite and postgres:
        found.append(
            Ratio(
                "load_postgres_vs_sqlite",
                "at 32 users and 2 workers, PostgreSQL pays {x} as fast as SQLite",
                postgres.median_ops / sqlite.median_ops,
                postgres.name,
                sqlite.name,
            )
        )
    found += _growth(results)
    found += _errors(results)
    return found


def _growth(results: list[Result]) -> list[Ratio]:
    history = [r for r in results if r.params.get("growth")]
    found = []
    for database in ("sqlite", "postgresql"):
        empty = next(
            (r for r in history if r.params["database"] == database and not r.params["stored"]), None
        )
        for full in (r for r in history if r.params["database"] == database and r.params["stored"]):
            if empty is None:
                continue
            stored = f"{full.params['stored']:,}"
            found.append(
                Ratio(
                    f"load_{database}_stored_{full.params['stored']}",
                    f"{database}: with {stored} payments stored, payments/s is {{x}} of an empty database's",
                    full.median_ops / empty.median_ops,
                    full.name,
                    empty.name,
                    at_least=TARGETS["growth"],
                    note=f"empty {empty.median_ops:,.0f}/s, with history {full.median_ops:,.0f}/s "
                    f"(load average {(empty.params.get('load_average') or ['?'])[0]} and "
                    f"{(full.params.get('load_average') or ['?'])[0]})",
                )
            )
            if "p99_ms" in full.params and "p99_ms" in empty.params:
                found.append(
                    Ratio(
                        f"load_{database}_stored_{full.params['stored']}_p99",
                        f"{database}: with {stored} payments stored, p99 is {{x}} an empty database's",
                        full.params["p99_ms"] / empty.params["p99_ms"],
                        full.name,
                        empty.name,
                        kind="time",
                        at_most=TARGETS["growth_p99"],
                        note=f"p99 {empty.params['p99_ms']:.1f} ms empty, "
                        f"{full.params['p99_ms']:.1f} ms with history",
                    )
                )
    return found


def _errors(results: list[Result]) -> list[Ratio]:
    done = sum(r.params.get("payments", 0) for r in results)
    failed = sum(r.params.get("errors", 0) for r in results)
    if not done:
        return []
    reasons = {}
    for r in results:
        for reason, count in (r.params.get("error_reasons") or {}).items():
            reasons[reason] = reasons.get(reason, 0) + count
    return [
        Ratio(
            "load_errors",
            "payments that succeeded, of all attempted at every level: {x}",
            done / (done + failed),
            "every level",
            "",
            at_least=1.0,
            note=f"{done:,} payments, {failed} errors" + (f": {reasons}" if reasons else ""),
        )
    ]


def plot(results: list[Result], out: Path) -> list[Path]:
    """Throughput and p99 latency against virtual users, one line per database and worker count."""
    from paycore.bench.plotting import Point, line_chart, save

    levels = _levels(results)
    configurations = sorted({key[:2] for key in levels})
    written = []
    for metric, title, label, log in (
        ("rate", "payments per second against virtual users (closed loop)", "payments / s", False),
        ("p99_ms", "p99 latency of a payment against virtual users", "p99 latency (ms)", True),
    ):
        series = {}
        for database, workers in configurations:
            points = []
            for (db, w, users), r in sorted(levels.items()):
                if (db, w) != (database, workers) or (metric != "rate" and metric not in r.params):
                    continue
                y = r.median_ops if metric == "rate" else r.params[metric]
                low = y if metric == "rate" else r.params.get("p50_ms", y)
                points.append(Point(users, y, min(low, y), y))
            series[f"{database}, {workers} worker{'s' if workers > 1 else ''}"] = points
        figure = line_chart(series, title=title, xlabel="virtual users", ylabel=label, logx=True, logy=log)
        written.append(save(figure, out / f"load_{'throughput' if metric == 'rate' else 'p99'}.png"))
    return written
