"""``paycore bench``: run benchmark suites and save their results."""

from __future__ import annotations

import argparse
from pathlib import Path

from paycore.bench.runner import run_suite, suites


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("--suite", default="all", help="which suite (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats")
    parser.add_argument("--out", default=None, help="directory for JSON/CSV results")


def run(args: argparse.Namespace) -> int:
    """Run the chosen suites; 0 on success."""
    known = suites()
    if args.suite != "all" and args.suite not in known:
        raise ValueError(f"unknown suite {args.suite!r}; known: {', '.join(known)}")
    chosen = list(known) if args.suite == "all" else [args.suite]
    for name in chosen:
        print(f"== suite {name} ({'quick' if args.quick else 'full'})")
        run_suite(known[name], quick=args.quick, out=Path(args.out) if args.out else None)
    return 0
