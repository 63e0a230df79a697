"""The ``paycore`` command: one entry point for the guided tours and tools.

Each subcommand is a small function; the heavy lifting lives in the package, so the
notebooks and the command line call the very same code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _rsa_demo(args: argparse.Namespace) -> int:
    """A textbook RSA round trip on a payment amount, printed step by step."""
    from paycore.textbook import (
        decrypt_int,
        encrypt_int,
        generate_private_key,
        sign_int,
        teaching_rng,
        verify_int,
    )

    print("TEXTBOOK RSA -- teaching code, never for real payments (see paycore.secure).\n")
    rng = teaching_rng(args.seed) if args.seed is not None else None
    key = generate_private_key(args.bits, rng=rng)
    public = key.public_key()
    print(f"1. key pair   {key!r}")
    print(f"              {public!r}")
    amount = args.amount
    print(f"2. message    M = {amount} (an amount in minor units, e.g. fen or cents)")
    ciphertext = encrypt_int(public, amount)
    print(f"3. encrypt    C = M^e mod n = {ciphertext:#x}"[:110] + "...")
    recovered = decrypt_int(key, ciphertext)
    print(f"4. decrypt    M = C^d mod n = {recovered}  (CRT)")
    signature = sign_int(key, amount)
    verify_int(public, amount, signature)
    print("5. sign       S = M^d mod n; verify S^e mod n == M: ok")
    if recovered != amount:
        print("round trip FAILED", file=sys.stderr)
        return 1
    print("\nround trip ok: decryption undid encryption.")
    return 0


def _bench(args: argparse.Namespace) -> int:
    """Run benchmark suites and save their results."""
    from pathlib import Path

    from paycore.bench.runner import run_suite, suites

    known = suites()
    chosen = list(known) if args.suite == "all" else [args.suite]
    for name in chosen:
        print(f"== suite {name} ({'quick' if args.quick else 'full'})")
        run_suite(known[name], quick=args.quick, out=Path(args.out) if args.out else None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, exposed so tests can inspect the commands."""
    parser = argparse.ArgumentParser(prog="paycore", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for name, help_text in (
        ("demo", "the guided tour (for now: a textbook RSA round trip)"),
        ("rsa-demo", "a textbook RSA round trip on a payment amount"),
    ):
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        cmd.add_argument("--bits", type=int, default=2048, help="modulus size (default 2048)")
        cmd.add_argument("--amount", type=int, default=12345, help="amount in minor units")
        cmd.add_argument(
            "--seed", default=None, help="seed a teaching key (reproducible; never for real keys)"
        )
        cmd.set_defaults(handler=_rsa_demo)

    bench = sub.add_parser("bench", help="run the benchmarks", description="run the benchmarks")
    bench.add_argument("--suite", default="all", help="which suite (default: all)")
    bench.add_argument("--quick", action="store_true", help="fewer, shorter repeats")
    bench.add_argument("--out", default=None, help="directory for JSON/CSV results")
    bench.set_defaults(handler=_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``paycore`` command; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (ValueError, TypeError) as exc:
        print(f"paycore: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
