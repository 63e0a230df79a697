"""The ``paycore`` command: one entry point for the guided tours and tools.

Each subcommand lives in its own module, which exposes ``configure(parser)`` to declare its
options and ``run(args) -> int`` to do the work; this file only wires them together, so the
notebooks and the command line call the very same code. Only the module of the command being run
is imported (``paycore keygen`` loads no web server); ``paycore --help`` imports none.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from paycore import __version__

DESCRIPTION = (
    "paycore: an e-commerce payment interface secured with RSA, built to be taught -- "
    "a guided tour, the attack lab, benchmarks and tools."
)
EPILOG = "Run 'paycore COMMAND --help' for the options of one command."

# name -> (module, one-line help). Modules are imported only when their command runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "paycore.tours.payment_tour",
        "the guided tour: one payment through the six steps, wire in view",
    ),
    "rsa-demo": ("paycore.tours.rsa_demo", "a textbook RSA round trip on a payment amount"),
    "bench": ("paycore.bench.cli", "run the benchmarks and write results, plots and a report"),
    "attacks": ("paycore.attacks.cli", "run the attack lab and print the attack-defence matrix"),
    "keygen": ("paycore.tools.keygen", "generate an RSA key pair as PEM files and print its key id"),
    "serve": ("paycore.tools.serve", "run the merchant and the gateway on loopback over real HTTP"),
    "outbox": (
        "paycore.tools.outbox",
        "list the gateway's waiting and parked notifications; send parked ones again",
    ),
    "capture": (
        "paycore.tools.capture",
        "write a Wireshark capture (pcap) of one demo payment, no capture rights needed",
    ),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; every command's options, or only those of the command ``only``.

    Declaring a command's options imports its module, so :func:`main` asks for one command only.
    Each command's own parser is kept in ``parser.commands`` (name -> parser), so an error in a
    command's options can show that command's usage.
    """
    parser = argparse.ArgumentParser(prog="paycore", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"paycore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser.commands = {}  # type: ignore[attr-defined]
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(module_name=module_name)
        parser.commands[name] = command  # type: ignore[attr-defined]
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue  # a command whose optional dependencies are missing still shows in --help
        module.configure(command)
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``; an argument the command does not know is an error in *that command's* usage.

    argparse hands arguments a subcommand does not know back to the top-level parser, which would
    print ``usage: paycore [-h] COMMAND ...``; the reader needs the command's own options instead.
    """
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")  # type: ignore[attr-defined]
    return args


def _command_in(argv: Sequence[str]) -> str:
    """The first argument that names a command ("" when there is none, e.g. ``paycore --help``)."""
    return next((argument for argument in argv if argument in COMMANDS), "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``paycore`` command; returns the process exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(only=_command_in(argv))
    args = parse(parser, argv)
    try:
        module = importlib.import_module(args.module_name)
    except ImportError as exc:
        print(f"paycore: error: the {args.command!r} command is not available ({exc})", file=sys.stderr)
        return 2
    try:
        return module.run(args)
    except (ValueError, TypeError) as exc:
        print(f"paycore: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `paycore ... | head` closed the pipe: not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
