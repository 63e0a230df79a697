"""``REPORT.md``: the run's headline ratios with their targets, the plots, every case, and the machine.

Everything in the report is computed from the one record it is given, so its numbers and
sentences always come from the same run (never from a table typed by hand). The report says first
whether the run was quiet enough to conclude (:mod:`paycore.bench.quality`): a noisy run judges no
target, a ratio outside what is physically possible is not stated, and a time breakdown whose
parts do not add up is replaced by the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

from paycore.bench.breakdown import Breakdown
from paycore.bench.quality import Quality, assess, verdict


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


def _spread(ratio: dict) -> str:
    return f"±{ratio['spread']:.0%}" if ratio.get("spread") is not None else ""


def claim(ratio: dict) -> str:
    """The ratio's sentence, or for an impossible value, what was asked and why no answer is given."""
    if not ratio.get("impossible"):
        return ratio["sentence"]
    asked = ratio["headline"].replace("{x}", "?")
    return f"{asked} -- not stated: the run measured {ratio['value']:.2f}, which is impossible"


def headline_lines(record: dict, quality: Quality | None = None) -> list[str]:
    """The ratio table of every suite (each ratio once), then the notes that explain them."""
    quality = quality or assess(record)
    lines = ["| ratio (same run) | value | spread | target | verdict |", "|---|---|---|---|---|"]
    notes, seen = [], set()
    for suite in record["suites"]:
        for ratio in suite["ratios"]:
            if ratio["key"] in seen:
                continue
            seen.add(ratio["key"])
            word = verdict(ratio, quality)
            value = "-" if ratio.get("impossible") else _value(ratio)
            lines.append(
                f"| {claim(ratio)} | {value} | {_spread(ratio)} | {ratio['target'] or '-'} | {word} |"
            )
            if ratio.get("impossible"):
                notes.append(
                    f"- **{claim(ratio)}**: a value beyond {_possible(ratio)} cannot be measured on a quiet "
                    "machine; the run was too noisy to conclude."
                )
            elif ratio["note"]:
                notes.append(f"- **{ratio['sentence']}** ({word}): {ratio['note']}")
    if notes:
        lines += ["", "Notes on the ratios:", "", *notes]
    lines += [
        "",
        "*spread*: the two cases' relative interquartile ranges added, roughly how far the ratio could "
        "move within this run's own noise. *unsure*: the target lies within that spread.",
    ]
    return lines


def _possible(ratio: dict) -> str:
    low, high = ratio.get("possible_min"), ratio.get("possible_max")
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


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
            f"start {_load(run['load_average_start'])}; end {_load(run['load_average_end'])}"
            + "".join(
                f"; after {sample['suite']} {_load(sample['load'])}"
                for sample in run.get("load_average_during", [])
            ),
        ),
    ]
    return ["| | |", "|---|---|", *(f"| {key} | {value} |" for key, value in rows)]


def suite_lines(suite: dict, plots: list[Path], base: Path, noisy: bool = False) -> list[str]:
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
    if suite.get("breakdown"):
        split = Breakdown.from_dict(suite["breakdown"])
        if split.consistent and noisy:
            lines += ["From a noisy run: the parts add up, but each may be off by its cases' spread.", ""]
        lines += [*split.lines(), ""]
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
    quality = assess(record)
    lines = [
        "# paycore benchmark report",
        "",
        f"A **{record['mode']}** run of `{record['machine']['command']}`, {run['started']}, "
        f"{run['duration_seconds']:.0f} s. Load average (1/5/15 min) {_load(run['load_average_start'])} "
        f"at the start and {_load(run['load_average_end'])} at the end, on {record['machine']['cores']} "
        "cores. Ratios of cases from this one run are steadier than the absolute rates.",
        "",
        quality.sentence(),
        "",
        "## Headline ratios",
        "",
        *headline_lines(record, quality),
        "",
    ]
    for suite in record["suites"]:
        lines += suite_lines(suite, plots.get(suite["name"], []), base, quality.noisy)
    lines += ["## Machine", "", *machine_lines(record), ""]
    return "\n".join(lines)


def write_report(record: dict, path: Path, plots: dict[str, list[Path]] | None = None) -> Path:
    """Render and write ``REPORT.md``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(record, path.parent, plots), encoding="utf-8")
    return path
