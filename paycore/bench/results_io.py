"""Results on disk: the full run record as JSON, one row per case as CSV, and reading them back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

CSV_COLUMNS = [
    "suite",
    "name",
    "group",
    "bits",
    "library",
    "op",
    "params",
    "loops",
    "repeats",
    "median_ops",
    "min_ops",
    "max_ops",
    "rel_iqr",
    "median_seconds_per_op",
    "bytes_per_op",
    "median_mb_per_s",
    "measured_in",
]


def save_json(record: dict, path: Path) -> Path:
    """The whole record (machine, settings, every sample, ratios), pretty-printed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


def load_json(path: Path) -> dict:
    """Read a record written by :func:`save_json`, checking it is one."""
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(record, dict) or "suites" not in record or "machine" not in record:
        raise ValueError(f"{path} is not a paycore bench results file (no 'suites' and 'machine')")
    return record


def save_csv(record: dict, path: Path) -> Path:
    """One row per case and suite: the medians, spread and the parameters plots select on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for suite in record["suites"]:
            for row in suite["results"]:
                params = row.get("params", {})
                writer.writerow(
                    {
                        **row,
                        "suite": suite["name"],
                        "bits": params.get("bits", ""),
                        "library": params.get("library", ""),
                        "op": params.get("op", ""),
                        "params": json.dumps(params, sort_keys=True),
                    }
                )
    return path
