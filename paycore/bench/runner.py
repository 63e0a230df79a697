"""Run a benchmark suite, print a table and its ratios, and save JSON and CSV results."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import ModuleType

from paycore.bench.harness import Result, machine_info, measure


def suites() -> dict[str, ModuleType]:
    """The suites ``paycore bench`` knows, by name."""
    from paycore.bench import textbook_suite

    return {textbook_suite.NAME: textbook_suite}


def run_suite(suite: ModuleType, *, quick: bool, out: Path | None, echo=print) -> dict:
    """Measure every case of ``suite``; return (and save, if ``out``) the full record."""
    min_time, repeats = (0.05, 3) if quick else (0.3, 5)
    results: list[Result] = []
    cases = suite.cases(quick=quick)
    for index, case in enumerate(cases, start=1):
        echo(f"[{index}/{len(cases)}] {case.name} ...", end="", flush=True)
        result = measure(case, min_time=min_time, repeats=repeats)
        results.append(result)
        echo(f" {result.median_ops:,.2f} ops/s (spread {result.rel_iqr:.1%})")
    record = {
        "suite": suite.NAME,
        "mode": "quick" if quick else "full",
        "machine": machine_info(),
        "settings": {"min_time": min_time, "repeats": repeats},
        "results": [r.to_dict() for r in results],
        "ratios": [
            {"ratio": label, "value": value, "target": target}
            for label, value, target in suite.ratios(results)
        ],
    }
    echo("")
    for row in record["ratios"]:
        echo(f"{row['ratio']}: {row['value']:.2f}  ({row['target']})")
    if out is not None:
        save(record, out)
        echo(f"\nresults written to {out}/")
    return record


def save(record: dict, out: Path) -> None:
    """Write ``<suite>.json`` (everything) and ``<suite>.csv`` (one row per case) under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    name = record["suite"]
    (out / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    columns = [
        "name",
        "group",
        "params",
        "loops",
        "repeats",
        "median_ops",
        "min_ops",
        "max_ops",
        "rel_iqr",
        "median_seconds_per_op",
        "median_mb_per_s",
    ]
    with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in record["results"]:
            writer.writerow({**row, "params": json.dumps(row["params"], sort_keys=True)})
