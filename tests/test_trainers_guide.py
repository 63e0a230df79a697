"""docs/TRAINERS.md stays true: its ``paycore`` commands parse, and what it names exists.

A trainer reads the guide in front of a class, so a renamed command, option, attack, file or
notebook must fail here rather than there. The checks read the guide's Markdown: every
``paycore ...`` command line in its code (inline spans and fenced blocks) must be a registered
subcommand whose options :func:`paycore.cli.build_parser` accepts, with real attack and suite
names; every repository path in its code, every relative link (with its ``#anchor``) and every
exercise id must exist. Each checker returns a list of problems; the last tests feed it a guide
with known mistakes, to show that each check can fail.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from paycore.attacks import select
from paycore.bench import suites
from paycore.cli import COMMANDS, build_parser
from paycore.exercises import catalogue

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "TRAINERS.md"

_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
# `paycore` where a shell command starts (a line, or after ;, &&, |, ( or $( ), maybe after VAR=value
# assignments and a directory such as .venv/bin/, followed by a subcommand
_COMMAND = re.compile(
    r"(?:^|[;&|(])[ \t]*(?:[A-Z_][A-Z0-9_]*=\S*[ \t]+)*(?:[\w.~-]*/)*paycore[ \t]+(?=[a-z])(.*)"
)
_REPO_PATH = re.compile(r"(?:\.\./)?((?:paycore|notebooks|docs|postman|tests|benchmarks)/[\w./-]*)")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_NOTEBOOK = re.compile(r"\b\d\d_\w+\.ipynb\b")
_EXERCISE = re.compile(r"\b0\d\.\d+\b")


def code_spans(markdown: str) -> list[str]:
    """The text of every fenced block and every inline code span, in that order."""
    fenced = _FENCE.findall(markdown)
    prose = _FENCE.sub("", markdown)
    return fenced + re.findall(r"`([^`\n]+)`", prose)


def paycore_commands(markdown: str) -> list[list[str]]:
    """The arguments after ``paycore`` of each command line in the guide's code, comments cut off."""
    commands = []
    for span in code_spans(markdown):
        for line in span.replace("\\\n", " ").splitlines():
            for match in _COMMAND.finditer(line):
                lexer = shlex.shlex(match.group(1), posix=True, punctuation_chars=True)
                lexer.whitespace_split = True
                argv = []
                for token in lexer:  # stop at the first shell operator: &&, |, ;, >, )
                    if set(token) <= set("&|;<>()"):
                        break
                    argv.append(token)
                commands.append(argv)
    return commands


def command_problems(markdown: str) -> list[str]:
    """Commands the ``paycore`` parser would refuse, or that name an unknown attack or suite."""
    problems = []
    parser = build_parser()
    for argv in paycore_commands(markdown):
        shown = "paycore " + " ".join(argv)
        if argv[0] not in COMMANDS:
            problems.append(f"{shown}: {argv[0]!r} is not a paycore command ({', '.join(COMMANDS)})")
            continue
        try:
            with contextlib.redirect_stderr(io.StringIO()) as stderr:
                args = parser.parse_args(argv)
        except SystemExit:
            problems.append(f"{shown}: {stderr.getvalue().strip().splitlines()[-1]}")
            continue
        if argv[0] == "attacks" and args.only:
            try:
                select(args.only)
            except ValueError as exc:
                problems.append(f"{shown}: {exc}")
        if argv[0] == "bench" and args.suite:
            unknown = set(args.suite.split(",")) - {*suites.names(), "all"}
            if unknown:
                problems.append(f"{shown}: no benchmark suite {', '.join(sorted(unknown))}")
    return problems


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every heading anchor of a Markdown document (headings inside fenced code do not count)."""
    return {
        slug(title) for title in re.findall(r"^#{1,6}[ \t]+(.+)$", _FENCE.sub("", markdown), re.MULTILINE)
    }


def path_problems(markdown: str, base: Path, root: Path = ROOT) -> list[str]:
    """Repository paths in code, relative links (and their anchors) and notebooks that do not exist."""
    problems = []
    for span in code_spans(markdown):
        for match in _REPO_PATH.finditer(span):
            if match.start() and span[match.start() - 1] not in " \t\n\"'(=:":
                continue  # part of a longer path, such as /tmp/paycore/..., not a repository path
            path = match.group(1).rstrip(".")
            if not (root / path).exists():
                problems.append(f"`{path}` does not exist in the repository")
    for target in _LINK.findall(markdown):
        if re.match(r"[a-z]+:", target):
            continue  # http:, https:, mailto:
        file_part, _, anchor = target.partition("#")
        linked = (base / file_part).resolve() if file_part else None
        if linked is not None and not linked.exists():
            problems.append(f"link to {target}: {file_part} does not exist")
            continue
        if anchor and (linked is None or linked.suffix == ".md"):
            text = markdown if linked is None else linked.read_text(encoding="utf-8")
            if anchor not in anchors(text):
                problems.append(f"link to {target}: no heading with the anchor #{anchor}")
    for name in set(_NOTEBOOK.findall(markdown)):
        if not (root / "notebooks" / name).exists():
            problems.append(f"notebook {name} does not exist in notebooks/")
    return problems


def exercise_problems(markdown: str) -> list[str]:
    """Exercise ids (``01.2``) the guide names that no notebook has."""
    known = catalogue()
    return [
        f"no exercise {found}" for found in sorted(set(_EXERCISE.findall(markdown))) if found not in known
    ]


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_every_paycore_command_in_the_guide_is_real(guide):
    assert command_problems(guide) == []


def test_the_guide_shows_the_main_commands(guide):
    shown = {argv[0] for argv in paycore_commands(guide)}
    assert {"demo", "serve", "attacks", "keygen", "rsa-demo", "bench"} <= shown, shown


def test_every_path_link_and_notebook_the_guide_names_exists(guide):
    assert path_problems(guide, GUIDE.parent) == []


def test_the_guide_links_the_start_notebook_and_the_course(guide):
    linked = {Path(target.partition("#")[0]).name for target in _LINK.findall(guide)}
    expected = {path.name for path in (ROOT / "notebooks").glob("0[0-8]_*.ipynb")}
    assert "00_start_here.ipynb" in expected
    assert expected <= linked, f"notebooks the guide never links: {sorted(expected - linked)}"


def test_every_exercise_the_guide_names_exists(guide):
    assert exercise_problems(guide) == []


BROKEN_GUIDE = """
# A guide with mistakes

## Demos

```bash
.venv/bin/paycore frobnicate --now       # no such command
.venv/bin/paycore attacks --only no-such-attack --details
.venv/bin/paycore serve --merchant-prot 8101 && echo started
.venv/bin/paycore bench --quick --suite teleportation
```

Run `paycore demo --loud`, read `paycore/no_such_module.py` and
[the missing notebook](../notebooks/99_missing.ipynb), see [a section](#no-such-section) and
[the demos](#demos), then do exercise 09.9.
"""


def test_the_command_check_catches_unknown_commands_options_attacks_and_suites():
    problems = command_problems(BROKEN_GUIDE)
    assert len(problems) == 5, problems
    assert "'frobnicate' is not a paycore command" in problems[0]
    assert "no-such-attack" in problems[1]
    assert "--merchant-prot" in problems[2]
    assert "teleportation" in problems[3]
    assert "--loud" in problems[4]


def test_the_path_check_catches_missing_files_notebooks_and_anchors():
    problems = path_problems(BROKEN_GUIDE, GUIDE.parent)
    assert any("paycore/no_such_module.py" in problem for problem in problems), problems
    assert any("99_missing.ipynb" in problem and "link" in problem for problem in problems), problems
    assert any("notebook 99_missing.ipynb" in problem for problem in problems), problems
    assert any("#no-such-section" in problem for problem in problems), problems
    assert not any("#demos" in problem for problem in problems), problems


def test_the_exercise_check_catches_unknown_ids():
    assert exercise_problems(BROKEN_GUIDE) == ["no exercise 09.9"]
