"""Printing for a projector: a width that fits, labelled lines, JSON that stays JSON when shortened.

The tours and the attack lab print to terminals that are often a projector at 100 columns or less.
:class:`Screen` holds the width (``--width``, else the terminal's, capped at :data:`MAX_WIDTH`) and
whether plain ASCII is wanted (``--plain``: no colour, no box-drawing characters). Every line a
helper here returns fits the width; long values are shortened in the middle with ``...`` so both
ends stay readable, and :func:`json_lines` shortens long *string values* only, so what it prints
is still valid JSON (with the same keys and structure as the bytes on the wire).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_WIDTH = 100
MIN_WIDTH = 60
ELLIPSIS = "..."


def add_screen_options(parser) -> None:
    """``--width N`` and ``--plain``, for every command that prints for a projector."""
    parser.add_argument(
        "--width",
        type=int,
        metavar="N",
        help=f"fit the output to N columns (default: the terminal's width, at most {MAX_WIDTH})",
    )
    parser.add_argument(
        "--plain", action="store_true", help="plain ASCII: no colour, no box-drawing characters"
    )


def terminal_width() -> int:
    """The terminal's width, capped at :data:`MAX_WIDTH` (100 when it cannot be told, e.g. in a pipe)."""
    return min(shutil.get_terminal_size((MAX_WIDTH, 24)).columns, MAX_WIDTH)


@dataclass(frozen=True)
class Screen:
    """Where the output goes: how wide it may be, and whether colour and box characters are allowed."""

    width: int = MAX_WIDTH
    plain: bool = True
    colour: bool = False

    @classmethod
    def from_args(cls, args) -> Screen:
        """From ``--width`` and ``--plain``; colour only on a terminal, and never with ``NO_COLOR`` set."""
        width = args.width if getattr(args, "width", None) is not None else terminal_width()
        if width < MIN_WIDTH:
            raise ValueError(f"--width must be at least {MIN_WIDTH} columns, got {width}")
        plain = bool(getattr(args, "plain", False))
        colour = not plain and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        return cls(width=width, plain=plain, colour=colour)

    def rule(self, title: str = "") -> str:
        """A horizontal line across the screen, with an optional title in it."""
        bar = "-" if self.plain else "\u2500"
        text = f"{bar * 2} {title} " if title else ""
        return text + bar * (self.width - len(text))

    def strong(self, text: str) -> str:
        """Bold on a colour terminal, unchanged otherwise."""
        return f"\033[1m{text}\033[0m" if self.colour else text

    def good(self, text: str) -> str:
        return f"\033[32m{text}\033[0m" if self.colour else text

    def bad(self, text: str) -> str:
        return f"\033[31m{text}\033[0m" if self.colour else text


def shorten(text: str, room: int) -> str:
    """``text`` if it fits in ``room`` characters, else its start and end around ``...``.

    >>> shorten("0123456789abcdef", 10)
    '012...cdef'
    """
    if len(text) <= room:
        return text
    keep = max(room - len(ELLIPSIS), 2)
    head = keep // 2
    return text[:head] + ELLIPSIS + text[len(text) - (keep - head) :]


NO_BREAK = "\u00a0"


def keep(text: str) -> str:
    """``text`` marked to stay on one line when wrapped (``CNY 99.80 (9980 fen)``, ``HTTP 401 CODE``)."""
    return text.replace(" ", NO_BREAK)


def wrap(text: str, width: int, indent: str = "", first: str | None = None) -> list[str]:
    """Words wrapped to ``width``, every line after the first indented by ``indent``.

    Spaces inside a :func:`keep` span are not broken; they print as ordinary spaces.
    """
    lines = textwrap.wrap(
        text,
        width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    ) or [indent if first is None else first]
    return [line.replace(NO_BREAK, " ") for line in lines]


def labelled(pairs: Sequence[tuple[str, str]], width: int, indent: str = "") -> list[str]:
    """``LABEL  value`` lines, values aligned, each value shortened in the middle to fit."""
    column = max(len(label) for label, _ in pairs) + 2
    room = max(width - len(indent) - column, 8)
    return [f"{indent}{label:<{column}}{shorten(value, room)}".rstrip() for label, value in pairs]


def json_lines(document: object, width: int, indent: str = "") -> tuple[list[str], bool]:
    """``document`` as indented JSON lines that fit ``width``; and whether any string was shortened.

    Small objects and lists are kept on one line when they fit; long string values are shortened in
    the middle. The lines joined with ``\\n`` parse back (``json.loads``) with the same structure.
    """
    shortened: list[bool] = []
    lines = _render(document, indent, "", "", width, shortened)
    return lines, any(shortened)


def _render(value, indent: str, prefix: str, suffix: str, width: int, shortened: list[bool]) -> list[str]:
    """The lines of ``value`` placed after ``indent + prefix`` and followed by ``suffix`` (a comma)."""
    flat = json.dumps(value, ensure_ascii=True)
    if len(indent) + len(prefix) + len(flat) + len(suffix) <= width:
        return [indent + prefix + flat + suffix]
    if isinstance(value, str):
        room = width - len(indent) - len(prefix) - len(suffix) - 2  # the quotes
        shortened.append(True)
        return [indent + prefix + json.dumps(shorten(value, max(room, 8)), ensure_ascii=True) + suffix]
    if isinstance(value, dict) and value:
        items = list(value.items())
        inner = indent + "  "
        lines = [indent + prefix + "{"]
        for index, (key, item) in enumerate(items):
            comma = "," if index < len(items) - 1 else ""
            lines += _render(item, inner, json.dumps(key, ensure_ascii=True) + ": ", comma, width, shortened)
        return [*lines, indent + "}" + suffix]
    if isinstance(value, list) and value:
        inner = indent + "  "
        lines = [indent + prefix + "["]
        for index, item in enumerate(value):
            lines += _render(item, inner, "", "," if index < len(value) - 1 else "", width, shortened)
        return [*lines, indent + "]" + suffix]
    return [indent + prefix + flat + suffix]  # a number or a literal too long for the line: leave it


def block(lines: Iterable[str]) -> str:
    """Lines joined for printing."""
    return "\n".join(lines)
