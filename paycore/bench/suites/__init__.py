"""The benchmark suites ``paycore bench`` knows, registered by module name.

A suite is a module with:

* ``NAME`` (what ``--suite`` takes), ``TITLE`` (one line) and ``QUESTION`` (what it answers);
* ``cases(quick: bool) -> list[Case | Skipped]``: the operations to time, each ready to call
  (set keys and inputs up here, not inside the timed function);
* ``ratios(results: list[Result]) -> list[Ratio]``: its headline ratios and their targets;
* optionally ``plot(results: list[Result], out: Path) -> list[Path]``: PNG figures.

To add one (the end-to-end payments suite, for instance), write the module under
``paycore/bench/suites/`` and add a line to :data:`SUITES`. Suites are imported only when run,
so a suite whose dependencies are missing does not break the others. Two suites may share a
case: the runner measures a case (same name and params) once per run and reuses the result.
"""

from __future__ import annotations

import importlib
from types import ModuleType

SUITES: dict[str, str] = {
    "textbook": "paycore.bench.suites.textbook",
    "keygen": "paycore.bench.suites.keygen",
    "rsa": "paycore.bench.suites.rsa_ops",
    "signatures": "paycore.bench.suites.signatures",
    "envelope": "paycore.bench.suites.envelope",
    "payments": "paycore.bench.suites.payments",
    "load": "paycore.bench.suites.loadtest",
}
"""name -> module, in the order ``--suite all`` runs them."""


def names() -> list[str]:
    """Every registered suite name."""
    return list(SUITES)


def load(name: str) -> ModuleType:
    """Import a suite by name; unknown names are a ``ValueError`` listing the known ones."""
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; known: {', '.join(SUITES)} (or all)")
    return importlib.import_module(SUITES[name])
