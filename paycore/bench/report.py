"""``REPORT.md``: the run's headline ratios with their targets, the plots, every case, and the machine.

Everything in the report is computed from the one record it is given, so its numbers and
sentences always come from the same run (never from a table typed by hand).
"""

from __future__ import annotations

import os
from pathlib import Path

VERDICT = {True: "pass", False: "**missed**", None: "-"}


def _rate(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:,.1f}"
    return f"{value:.3f}"


def _load(values: list[float] | None) -> str:
    return " / ".join(f"{value:.2f}" for value in values) if values else "n/a"


def _value(ratio: dict) -> str:
    if ratio.get("kind") == "mb_per_s":
        return f"{ratio['value']:,.0f} MB/s"
    return f"{ratio['value']:.2f}"


def headline_lines(record: dict) -> list[str]:
    """The ratio table of every suite (each ratio once), then the notes that explain them."""
    lines = ["| ratio (same run) | value | target | verdict | source |", "|---|---|---|---|---|"]
    notes, seen = [], set()
    for suite in record["suites"]:
        for ratio in suite["ratios"]:
            if ratio["key"] in seen:
                continue
            seen.add(ratio["key"])
            lines.append(
                f"| {ratio['sentence']} | {_value(ratio)} | {ratio['target'] or '-'} "
                f"| {VERDICT[ratio['passed']]} | {ratio['source'] or suite['name']} |"
            )
            if ratio["note"]:
                notes.append(f"- **{ratio['sentence']}** ({VERDICT[ratio['passed']]}): {ratio['note']}")
    if notes:
        lines += ["", "Notes on the ratios:", "", *notes]
    return lines


def machine_lines(record: dict) -> list[str]:
    """The machine record as a two-column table."""
    machine, run = record["machine"], record["run"]
    rows = [
        (
            "CPU",
            f"{machine['cpu']} ({machine['cores']} cores, AES instructions: {machine.get('cpu_has_aes')})",
        ),
        ("platform", machine["platform"]),
        ("Python", f"{machine['python_implementation']} {machine['python']}"),
        ("OpenSSL in `cryptography`", machine.get("openssl_in_cryptography")),
        ("`openssl` command", machine.get("openssl_command") or "not found"),
        ("GMP (gmpy2)", machine.get("gmp") or "not installed"),
        ("packages", ", ".join(f"{k} {v}" for k, v in machine["packages"].items() if v)),
        ("command", f"`{machine['command']}`"),
        ("mode / settings", f"{record['mode']}: {record['settings']}"),
        ("started / finished", f"{run['started']} / {run['finished']} ({run['duration_seconds']:.0f} s)"),
        (
            "load average 1/5/15 min",
            f"start {_load(run['load_average_start'])}; end {_load(run['load_average_end'])}",
        ),
    ]
    return ["| | |", "|---|---|", *(f"| {key} | {value} |" for key, value in rows)]


def suite_lines(suite: dict, plots: list[Path], base: Path) -> list[str]:
    """A suite's question, its plots, and one table row per case."""
    lines = [f"## Suite `{suite['name']}`: {suite['title']}", ""]
    if suite.get("question"):
        lines += [suite["question"], ""]
    if suite.get("duration_seconds") is not None:
        lines += [
            f"Measured in {suite['duration_seconds']:.0f} s (cases shared with an earlier suite are reused).",
            "",
        ]
    for plot in plots:
        lines += [f"![{plot.stem}]({Path(os.path.relpath(plot, base)).as_posix()})", ""]
    lines += [
        "| case | median ops/s | MB/s | spread (rel. IQR) | min - max ops/s | repeats x loops |",
        "|---|---|---|---|---|---|",
    ]
    for row in suite["results"]:
        mb = f"{row['median_mb_per_s']:,.1f}" if row.get("median_mb_per_s") is not None else ""
        loops = row["loops"] if row["loops"] is not None else "self-timed"
        lines.append(
            f"| {row['name']} | {_rate(row['median_ops'])} | {mb} | {row['rel_iqr']:.1%} "
            f"| {_rate(row['min_ops'])} - {_rate(row['max_ops'])} | {row['repeats']} x {loops} |"
        )
    if suite["skipped"]:
        lines += ["", "Not measured here:", ""]
        lines += [f"- {item['name']}: {item['reason']}" for item in suite["skipped"]]
    return [*lines, ""]


def render(record: dict, base: Path, plots: dict[str, list[Path]] | None = None) -> str:
    """The Markdown text; ``base`` is the report's directory (plot links are relative to it)."""
    plots = plots or {}
    run = record["run"]
    lines = [
        "# paycore benchmark report",
        "",
        f"A **{record['mode']}** run of `{record['machine']['command']}`, {run['started']}, "
        f"{run['duration_seconds']:.0f} s. Load average (1/5/15 min) {_load(run['load_average_start'])} "
        f"at the start and {_load(run['load_average_end'])} at the end, on {record['machine']['cores']} "
        "cores: a load near the core count means other work shared the CPU and every rate is a lower "
        "bound. Ratios of cases from this one run are steadier than the absolute rates.",
        "",
        "## Headline ratios",
        "",
        *headline_lines(record),
        "",
    ]
    for suite in record["suites"]:
        lines += suite_lines(suite, plots.get(suite["name"], []), base)
    lines += ["## Machine", "", *machine_lines(record), ""]
    return "\n".join(lines)


def write_report(record: dict, path: Path, plots: dict[str, list[Path]] | None = None) -> Path:
    """Render and write ``REPORT.md``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(record, path.parent, plots), encoding="utf-8")
    return path
