"""Turn a run record into files: ``results.json``, ``results.csv``, the suites' PNG plots, ``REPORT.md``.

The plots and the report are drawn from the record alone, so ``paycore bench --report-from``
can redraw them from a saved ``results.json`` without measuring anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from paycore.bench.harness import Result
from paycore.bench.report import write_report
from paycore.bench.results_io import save_csv, save_json


def publish(record: dict, out: Path, suites: Sequence[ModuleType] = ()) -> list[Path]:
    """Write ``results.json``, ``results.csv``, the suites' plots and ``REPORT.md`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = [save_json(record, out / "results.json"), save_csv(record, out / "results.csv")]
    plots: dict[str, list[Path]] = {}
    by_name = {suite.NAME: suite for suite in suites}
    for entry in record["suites"]:
        suite = by_name.get(entry["name"])
        if suite is None or not hasattr(suite, "plot"):
            continue
        results = [Result.from_dict(item) for item in entry["results"]]
        if results:
            from paycore.bench.plotting import plot_directory  # matplotlib only when drawing

            plots[entry["name"]] = suite.plot(results, plot_directory(out))
    written += [path for paths in plots.values() for path in paths]
    written.append(write_report(record, out / "REPORT.md", plots))
    return written
