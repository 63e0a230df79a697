"""Run suites: build their cases, measure each once with a progress bar, and assemble the run record.

The record is one JSON-ready dict holding everything: the settings, the machine (with the load
average at the start and end of the run), and per suite its results, ratios and skipped cases.
:func:`paycore.bench.publish.publish` turns it into files (JSON, CSV, PNG plots, ``REPORT.md``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from types import ModuleType

from paycore.bench.harness import Case, Result, Skipped, measure_together
from paycore.bench.machine import load_average, machine_info

FORMAT = "paycore-bench/1"
SETTINGS = {"quick": {"min_time": 0.04, "repeats": 5}, "full": {"min_time": 0.2, "repeats": 7}}
"""Quick: short repeats, but five of them, so one burst from a neighbour cannot move the median."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _case_key(case: Case) -> str:
    return case.name + " " + json.dumps(case.params, sort_keys=True, default=str)


def _progress_bar(total: int, enabled: bool | None):
    from tqdm import tqdm

    return tqdm(total=total, unit="case", disable=None if enabled is None else not enabled, leave=False)


def run(
    suites: Sequence[ModuleType],
    *,
    quick: bool,
    echo: Callable[[str], None] | None = None,
    progress: bool | None = None,
    measure_fn: Callable[..., list[Result]] = measure_together,
    command: str | None = None,
) -> dict:
    """Measure every case of every suite (a case shared by two suites once) and return the record.

    Cases with the same ``together`` label are measured in turns, as one batch. ``progress=None``
    shows the bar only on a terminal. A batch that raises is recorded as skipped with its error,
    and the run goes on. ``command`` is recorded as the command that
    reproduces the run (default: this process's command line).
    """
    mode = "quick" if quick else "full"
    settings = SETTINGS[mode]
    started, load_start, clock_start = _now(), load_average(), time.perf_counter()
    planned = [(suite, suite.cases(quick=quick)) for suite in suites]
    total = sum(1 for _, cases in planned for case in cases if isinstance(case, Case))
    measured: dict[str, tuple[str, Result]] = {}
    with _progress_bar(total, progress) as bar:
        say = echo or bar.write

        def measure_batch(suite_name: str, batch: list[Case]) -> list[tuple[str, Result]]:
            bar.set_description(batch[0].name[:40])
            keys = [_case_key(case) for case in batch]
            if all(key in measured for key in keys):
                for case, key in zip(batch, keys, strict=True):
                    say(f"  {case.name}: measured in suite {measured[key][0]}, reused")
            else:
                for key, result in zip(keys, measure_fn(batch, **settings), strict=True):
                    measured[key] = (suite_name, result)
                    say(f"  {_line(result)}")
            return [measured[key] for key in keys]

        suite_records, loads = [], []
        for suite, cases in planned:
            say(f"== suite {suite.NAME} ({mode}): {suite.TITLE}")
            suite_records.append(_run_suite(suite, cases, measure_batch, say, bar.update))
            loads.append({"suite": suite.NAME, "load": load_average()})
    machine = machine_info()
    if command is not None:
        machine["command"] = command
    return {
        "format": FORMAT,
        "mode": mode,
        "settings": settings,
        "machine": machine,
        "run": {
            "started": started,
            "finished": _now(),
            "duration_seconds": round(time.perf_counter() - clock_start, 1),
            "load_average_start": load_start,
            "load_average_end": load_average(),
            "load_average_during": loads,
        },
        "suites": suite_records,
    }


def _batches(cases: list[Case]) -> list[list[Case]]:
    """Cases in order, those sharing a ``together`` label gathered where the first one stands."""
    batches: list[list[Case]] = []
    labelled: dict[str, list[Case]] = {}
    for case in cases:
        if not case.together:
            batches.append([case])
        elif case.together in labelled:
            labelled[case.together].append(case)
        else:
            labelled[case.together] = [case]
            batches.append(labelled[case.together])
    return batches


def _run_suite(suite: ModuleType, cases: list, measure_batch, say, advance) -> dict:
    start = time.perf_counter()
    results: list[Result] = []
    entries: list[dict] = []
    skipped = [{"name": c.name, "reason": c.reason} for c in cases if isinstance(c, Skipped)]
    for batch in _batches([c for c in cases if isinstance(c, Case)]):
        try:
            outcomes = measure_batch(suite.NAME, batch)
        except Exception as exc:  # one broken peer must not lose the whole run
            reason = f"failed: {type(exc).__name__}: {exc}"
            skipped += [{"name": case.name, "reason": reason} for case in batch]
            say(f"  {', '.join(case.name for case in batch)}: FAILED ({type(exc).__name__}: {exc})")
        else:
            for origin, result in outcomes:
                results.append(result)
                entries.append({**result.to_dict(), "measured_in": origin})
        advance(len(batch))
    for item in skipped:
        say(f"  skipped {item['name']}: {item['reason']}")
    derived = derive(suite, results)
    for ratio in derived["ratios"]:
        if ratio["impossible"]:
            say(f"  not stated: {ratio['sentence']} is impossible (the run was too noisy)")
            continue
        verdict = {True: "pass", False: "MISS", None: ""}[ratio["passed"]]
        say(f"  {ratio['sentence']}  {ratio['target']} {verdict}".rstrip())
    return {
        "name": suite.NAME,
        "title": suite.TITLE,
        "question": getattr(suite, "QUESTION", ""),
        "results": entries,
        **derived,
        "skipped": skipped,
        "duration_seconds": round(time.perf_counter() - start, 1),
    }


def derive(suite: ModuleType, results: list[Result]) -> dict:
    """What a suite concludes from its results: its ratios and, if it has one, its time breakdown."""
    derived: dict = {"ratios": [ratio.to_dict() for ratio in suite.ratios(results)]}
    split = suite.breakdown(results) if hasattr(suite, "breakdown") else None
    if split is not None:
        derived["breakdown"] = split.to_dict()
    return derived


def refresh(record: dict, suites: Sequence[ModuleType]) -> dict:
    """The record with each known suite's words, ratios and breakdown derived again from its results.

    Redrawing a saved run (``paycore bench --report-from``) then applies today's checks -- the
    possible ranges, the breakdown's consistency -- and today's wording to yesterday's numbers.
    """
    by_name = {suite.NAME: suite for suite in suites}
    entries = []
    for entry in record["suites"]:
        suite = by_name.get(entry["name"])
        if suite is not None:
            results = [Result.from_dict(item) for item in entry["results"]]
            entry = {key: value for key, value in entry.items() if key != "breakdown"}
            words = {"title": suite.TITLE, "question": getattr(suite, "QUESTION", "")}
            entry = {**entry, **words, **derive(suite, results)}
        entries.append(entry)
    return {**record, "suites": entries}


def _line(result: Result) -> str:
    rate = f"{result.median_ops:,.1f} ops/s"
    if result.median_mb_per_s is not None:
        rate += f", {result.median_mb_per_s:,.1f} MB/s"
    return f"{result.name}: {rate} (spread {result.rel_iqr:.1%})"
