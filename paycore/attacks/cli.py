"""``paycore attacks``: run the attack lab and print the attack-defence matrix.

Exit status 0 when every attack breaks its vulnerable target and fails against the production
path; 1 otherwise (a regression in a target, an attack, or a defence); 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import textwrap
import time
from collections.abc import Sequence
from itertools import groupby

from paycore.attacks.factoring_curve import ANCHOR, estimate_table
from paycore.attacks.registry import run_all, select
from paycore.attacks.report import Report
from paycore.tours.screen import MAX_WIDTH, Screen, add_screen_options, wrap

RUN_INDENT = 6
MIN_TARGET_WIDTH = 24


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this attack (a name such as 'parity-oracle' or a number such as 9 or 7b); repeatable",
    )
    parser.add_argument("--details", action="store_true", help="say why each run came out as it did")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the matrix as the Markdown table the README shows (no timings)",
    )
    add_screen_options(parser)


def _result(report: Report) -> str:
    if report.error is not None:
        return "ERROR"
    word = "BROKEN" if report.succeeded else "defended"
    return word if report.ok else f"{word} <-- UNEXPECTED"


def format_matrix(reports: Sequence[Report], details: bool = False, width: int = MAX_WIDTH) -> str:
    """The attack-defence matrix as text no wider than ``width``.

    Each attack is a block: its number and name, then one line per run (the target, wrapped in its
    column if need be, the result and the work), then its defence, wrapped under the runs. When
    the screen is too narrow for three columns, each run's result and work go on a line of their own.
    """
    indent = " " * RUN_INDENT
    result_width = max([len("result"), *(len(_result(r)) for r in reports)])
    work_width = max([len("work"), *(len(str(r.work)) for r in reports)])
    target_width = width - RUN_INDENT - result_width - work_width - 4
    stacked = target_width < MIN_TARGET_WIDTH
    if stacked:
        target_width = width - RUN_INDENT
        header = [indent + "target", indent + "    result, work"]
    else:
        header = [_row("target", "result", "work", result_width, target_width)]
    lines = ["#   attack", *header, "-" * width]
    for (number, attack), group in groupby(reports, key=lambda r: (r.number, r.attack)):
        runs = list(group)
        lines.append(f"{number:<4}{attack}")
        for run in runs:
            cells = textwrap.wrap(run.target, target_width) or [""]
            if stacked:
                lines += [indent + cell for cell in cells]
                lines += wrap(f"{_result(run)}, {run.work}", width, indent + "    ")
                continue
            lines.append(_row(cells[0], _result(run), str(run.work), result_width, target_width))
            lines += [indent + cell for cell in cells[1:]]
        lines += wrap(runs[0].defence, width, indent + " " * len("defence: "), first=indent + "defence: ")
    text = "\n".join(line.rstrip() for line in lines)
    if details:
        notes = []
        for r in reports:
            notes += wrap(r.error or r.detail, width, " " * 15, first=f"{r.number:>3} {r.path:<10} ")
        text += "\n\n" + "\n".join(notes)
    return text


def _row(target: str, result: str, work: str, result_width: int, room: int) -> str:
    return f"{' ' * RUN_INDENT}{target:<{room}}  {result:<{result_width}}  {work}".rstrip()


def _counts(work: dict) -> str:
    names = {"queries": ("query", "queries"), "guesses": ("guess", "guesses")}
    parts = [f"{work[kind]:,} {names[kind][work[kind] != 1]}" for kind in names if work.get(kind)]
    return ", ".join(parts) or "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def format_markdown(reports: Sequence[dict]) -> str:
    """The matrix as a Markdown table, from report dicts (``Report.to_dict``), without timings.

    Only what is the same on every run appears (timings vary, and so does the production side's
    work, which runs on fresh keys), so the README can hold the table and a test can check it.
    """
    lines = [
        "| # | attack | vulnerable target | work | production path | result | defence |",
        "|---|---|---|---|---|---|---|",
    ]
    pairs: dict[str, dict[str, dict]] = {}
    for report in reports:
        pairs.setdefault(report["number"], {})[report["path"]] = report
    for number, pair in pairs.items():
        weak, strong = pair["vulnerable"], pair["production"]
        verdict = "broken / defended" if weak["ok"] and strong["ok"] else "UNEXPECTED"
        cells = [
            number,
            weak["attack"],
            weak["target"],
            _counts(weak["work"]),
            strong["target"],
            verdict,
            weak["defence"],
        ]
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(lines)


def summary(reports: Sequence[Report], seconds: float) -> str:
    """One line: how many runs came out as expected."""
    good = sum(r.ok for r in reports)
    broken = sum(r.ok and r.path == "vulnerable" for r in reports)
    held = sum(r.ok and r.path == "production" for r in reports)
    return (
        f"{good} of {len(reports)} runs as expected: {broken} vulnerable targets broken, "
        f"{held} production runs defended ({seconds:.1f} s)"
    )


def run(args: argparse.Namespace) -> int:
    """Run the selected attacks; 0 when every run came out as expected."""
    attacks = select(args.only)
    start = time.perf_counter()
    reports = run_all(attacks)
    seconds = time.perf_counter() - start
    ok = all(report.ok for report in reports)
    estimates = [{"bits": bits, "core_years": years} for bits, years, _ in estimate_table()]
    if args.markdown:
        print(format_markdown([report.to_dict() for report in reports]))
    elif args.json:
        document = {
            "ok": ok,
            "seconds": seconds,
            "reports": [report.to_dict() for report in reports],
            "gnfs_estimate": {
                "anchor": ANCHOR.name,
                "anchor_core_years": ANCHOR.core_years,
                "sizes": estimates,
            },
        }
        print(json.dumps(document, indent=2))
    else:
        screen = Screen.from_args(args)
        print(screen.strong("THE ATTACK LAB") + " -- deliberately vulnerable targets versus paycore.secure\n")
        print(format_matrix(reports, details=args.details, width=screen.width))
        print()
        for line in wrap(summary(reports, seconds), screen.width):
            print(screen.good(line) if ok else screen.bad(line))
        if any(report.number.startswith("7") for report in reports):
            sizes = ", ".join(f"{bits} bits ~ {text}" for bits, _, text in estimate_table())
            anchor = f"{ANCHOR.name}'s {ANCHOR.core_years:,.0f} core-years"
            for line in wrap(
                f"GNFS ESTIMATE (one core, scaled from {anchor}): {sizes}", screen.width, "    ", first=""
            ):
                print(line)
    return 0 if ok else 1
