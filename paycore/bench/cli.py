"""``paycore bench``: run benchmark suites and write results, plots and a report.

paycore bench --quick                      # every suite, short repeats (under a minute)
paycore bench --out benchmarks/results     # the full run (minutes), files under DIR
paycore bench --suite envelope --quick     # one suite
paycore bench --report-from DIR/results.json --out DIR   # redraw plots and REPORT.md
paycore bench --compare OLD.json NEW.json  # how far two runs agree, case by case
paycore bench --summary-from DIR/results.json   # the tables the READMEs show, as Markdown
"""

from __future__ import annotations

import argparse
from pathlib import Path

from paycore.bench import suites as registry
from paycore.bench.compare import compare, format_comparison
from paycore.bench.publish import publish
from paycore.bench.quality import assess
from paycore.bench.results_io import load_json
from paycore.bench.runner import refresh
from paycore.bench.runner import run as run_suites

DEFAULT_OUT = "bench-results"


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument(
        "--suite",
        default="all",
        metavar="NAME",
        help=f"which suite(s), comma-separated: {', '.join(registry.names())} or all (default: all)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer sizes and shorter repeats (under a minute)"
    )
    parser.add_argument(
        "--out", default=DEFAULT_OUT, metavar="DIR", help=f"where results go (default: ./{DEFAULT_OUT})"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--list", action="store_true", help="list the suites and exit")
    parser.add_argument(
        "--report-from",
        metavar="JSON",
        help="redraw plots and REPORT.md from a results.json, measure nothing",
    )
    parser.add_argument(
        "--compare", nargs=2, metavar=("OLD", "NEW"), help="compare two results.json files case by case"
    )
    parser.add_argument(
        "--summary-from",
        metavar="JSON",
        help="print the Markdown blocks the READMEs show (between their markers) from a results.json",
    )


def _chosen(spec: str) -> list:
    names = registry.names() if spec == "all" else [name.strip() for name in spec.split(",") if name.strip()]
    if not names:
        raise ValueError("--suite needs a suite name (or all)")
    return [registry.load(name) for name in names]


def run(args: argparse.Namespace) -> int:
    """Run, redraw or compare; 0 on success."""
    if args.list:
        for name in registry.names():
            suite = registry.load(name)
            print(f"{name:12} {suite.TITLE}")
        return 0
    if args.summary_from:
        from paycore.bench.summary import BLOCKS, blocks

        record = load_json(Path(args.summary_from))
        known = [registry.load(e["name"]) for e in record["suites"] if e["name"] in registry.SUITES]
        for name, text in blocks(refresh(record, known)).items():
            print(f"<!-- {name}:start --> (for {BLOCKS[name]})\n{text}\n<!-- {name}:end -->\n")
        return 0
    if args.compare:
        old, new = (load_json(Path(path)) for path in args.compare)
        print(format_comparison(compare(old, new)))
        return 0
    out = Path(args.out)
    if args.report_from:
        record = load_json(Path(args.report_from))
        known = [
            registry.load(entry["name"]) for entry in record["suites"] if entry["name"] in registry.SUITES
        ]
        for path in publish(refresh(record, known), out, known):
            print(f"  {path}")
        return 0
    chosen = _chosen(args.suite)
    command = f"paycore bench --suite {args.suite}{' --quick' if args.quick else ''} --out {args.out}"
    progress = False if args.no_progress else None
    record = run_suites(chosen, quick=args.quick, progress=progress, echo=None, command=command)
    written = publish(record, out, chosen)
    print(f"\n{record['mode']} run took {record['run']['duration_seconds']:.0f} s; wrote:")
    for path in written:
        print(f"  {path}")
    print(assess(record).sentence().replace("**", ""))
    return 0
