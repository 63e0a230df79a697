"""The course around the package: its path through the notebooks, and where its files are.

A notebook's kernel may start in ``notebooks/``, at the repository root or anywhere else (nbval, a
test, VS Code, a JupyterLab started in another folder), so no notebook opens ``../something``. It
asks this module instead. :func:`repository` is the source checkout that ``paycore`` was imported
from (the README's quick start installs it editable, so the package *is* the checkout), and
:func:`repository_file` finds a file in it -- the same answer from any working directory.

:data:`PATH` is the learning path of notebook 00: what each notebook teaches of the seed article's
steps 3.1-3.6, which attacks of the lab it runs, and about how long it takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import paycore

STEPS = ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6")
"""The seed article's six steps of a payment (its section 3)."""


@dataclass(frozen=True)
class Stop:
    """One notebook on the learning path."""

    number: str
    title: str
    part: str
    steps: tuple[str, ...]  # the seed article's steps it teaches
    runs: tuple[str, ...]  # the attacks it carries out, labelled as `paycore attacks` prints them
    minutes: int


PATH = (
    Stop("01", "RSA\nby hand", "RSA from the math", ("3.3", "3.6"), (), 35),
    Stop("02", "textbook\nRSA", "RSA from the math", ("3.3", "3.6"), (), 45),
    Stop("03", "paddings", "padded RSA", ("3.3",), (), 45),
    Stop("04", "production\npath", "padded RSA", ("3.3", "3.4", "3.6"), (), 45),
    Stop("05", "payment\nflow", "the payment flow", STEPS, ("14", "15", "18", "19"), 50),
    Stop(
        "06",
        "attacks\non RSA",
        "breaking it",
        ("3.3", "3.4", "3.5"),
        ("1", "2", "3", "4", "5", "6", "7a", "7b", "7c", "8", "9", "10", "11", "12", "13"),
        60,
    ),
    Stop(
        "07",
        "attacks on\nthe protocol",
        "breaking it",
        ("3.3", "3.4", "3.5", "3.6"),
        ("14", "15", "16", "17", "18", "19", "20"),
        50,
    ),
    Stop("08", "benchmarks", "measuring it", ("3.3", "3.4", "3.6"), (), 30),
    Stop("09", "real\npayment APIs", "real APIs", ("3.3", "3.4", "3.5", "3.6"), ("21", "22", "23"), 50),
)
"""The notebooks after 00, in reading order. Notebook 05 previews four protocol attacks that 07 runs."""


def _is_checkout(folder: Path) -> bool:
    return (
        (folder / "pyproject.toml").is_file()
        and (folder / "paycore" / "__init__.py").is_file()
        and (folder / "notebooks").is_dir()
    )


def repository() -> Path | None:
    """The source checkout this ``paycore`` was imported from, or ``None`` for an installed package."""
    root = Path(paycore.__file__).resolve().parent.parent
    return root if _is_checkout(root) else None


def checkout_containing(folder: Path) -> Path | None:
    """The paycore checkout that ``folder`` lies in, or ``None`` when it lies in none."""
    folder = folder.resolve()
    return next((place for place in (folder, *folder.parents) if _is_checkout(place)), None)


def repository_file(*parts: str) -> Path:
    """A file of the repository (``repository_file("benchmarks", "README.md")``), whatever the working
    directory; :class:`FileNotFoundError` says why when there is no checkout or no such file."""
    root = repository()
    if root is None:
        raise FileNotFoundError(
            "paycore is installed as a package, without the repository's notebooks, docs and results: "
            'clone the repository and install it from there (pip install -e ".[notebooks]")'
        )
    path = root.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"the repository has no {'/'.join(parts)} (looked in {root})")
    return path


def setup_problem(working_directory: Path | None = None) -> str | None:
    """What is wrong with the setup a notebook runs in, in words a student can act on; ``None`` if nothing.

    The kernel must import paycore from a source checkout, and when it runs inside a checkout
    (``working_directory``, by default the current one) it must be that same checkout -- otherwise
    the notebooks of one copy run against the code of another.
    """
    here = repository()
    if here is None:
        return (
            "this kernel imports paycore from an installed package, not from a checkout of the repository: "
            "install it with the README's command and choose the .venv kernel"
        )
    around = checkout_containing(Path.cwd() if working_directory is None else working_directory)
    if around is not None and around != here:
        return (
            f"this kernel imports paycore from {here}, but runs in another checkout, {around}: "
            "choose the kernel of that checkout's .venv"
        )
    return None
