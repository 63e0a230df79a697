"""The attack registry: every attack the lab knows, and how to run them all.

An :class:`Attack` names one attack (number, name, title, source, defence) and holds two
runners, functions of no arguments that set up a target, attack it and return an
:class:`~paycore.attacks.report.Outcome`: ``vulnerable`` against the deliberately weak
target, ``production`` against :mod:`paycore.secure`. Modules register their attacks with
:func:`register` when they are imported; :func:`all_attacks` imports every module named in
:data:`ATTACK_MODULES` first, so adding an attack module means adding one line there.
"""

from __future__ import annotations

import importlib
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from paycore.attacks.report import Outcome, Report, Side, Stopwatch, Work

Runner = Callable[[], Outcome]

ATTACK_MODULES: list[str] = [
    "paycore.attacks.dictionary",
    "paycore.attacks.malleability",
    "paycore.attacks.cube_root",
    "paycore.attacks.hastad",
    "paycore.attacks.common_modulus",
    "paycore.attacks.wiener",
    "paycore.attacks.factoring_lab",
    "paycore.attacks.blinding",
    "paycore.attacks.parity",
    "paycore.attacks.bleichenbacher",
    "paycore.attacks.manger",
    "paycore.attacks.forgery",
    "paycore.attacks.fault",
    "paycore.attacks.protocol_gateway",
    "paycore.attacks.protocol_merchant",
    "paycore.attacks.protocol_sdk",
]
"""Modules that register attacks when imported."""

_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_REGISTRY: dict[str, Attack] = {}


@dataclass(frozen=True)
class Attack:
    """One attack of the lab: what it is, where it comes from, what stops it, and its two runners."""

    number: int
    name: str
    title: str
    source: str
    defence: str
    vulnerable: Runner
    production: Runner
    variant: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 1:
            raise ValueError(f"attack number must be a positive int, got {self.number!r}")
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ValueError(f"attack name must be lowercase words joined by '-', got {self.name!r}")
        if not (callable(self.vulnerable) and callable(self.production)):
            raise TypeError(
                "vulnerable and production must be functions of no arguments returning an Outcome"
            )

    @property
    def label(self) -> str:
        """The number as the matrix and the README show it: ``"7"`` or ``"7b"``."""
        return f"{self.number}{self.variant}"


def register(attack: Attack) -> Attack:
    """Add ``attack`` to the registry; a second attack with the same name or label is an error."""
    if not isinstance(attack, Attack):
        raise TypeError(f"register needs an Attack, got {type(attack).__name__}")
    for known in _REGISTRY.values():
        if known is attack:
            return attack
        if attack.name == known.name or attack.label == known.label:
            raise ValueError(
                f"attack {attack.label} {attack.name!r} clashes with {known.label} {known.name!r}"
            )
    _REGISTRY[attack.name] = attack
    return attack


def unregister(name: str) -> None:
    """Remove an attack by name (tests use this to clean up after a deliberately broken entry)."""
    _REGISTRY.pop(name, None)


def _sort_key(attack: Attack) -> tuple[int, str]:
    return attack.number, attack.variant


def all_attacks() -> list[Attack]:
    """Every registered attack, in order of number, after importing :data:`ATTACK_MODULES`."""
    for module in ATTACK_MODULES:
        importlib.import_module(module)
    return sorted(_REGISTRY.values(), key=_sort_key)


def select(names: Iterable[str] | None) -> list[Attack]:
    """The attacks called ``names`` (names, labels or numbers: ``"parity-oracle"``, ``"7b"``, ``"7"``).

    ``None`` means all of them.
    """
    attacks = all_attacks()
    if names is None:
        return attacks
    wanted = list(names)
    chosen = [a for a in attacks if a.name in wanted or a.label in wanted or str(a.number) in wanted]
    unknown = [w for w in wanted if not any(w in (a.name, a.label, str(a.number)) for a in attacks)]
    if unknown:
        known = ", ".join(a.name for a in attacks)
        raise ValueError(f"unknown attack {', '.join(map(repr, unknown))}; choose from: {known}")
    return chosen


def run(attack: Attack, path: Side) -> Report:
    """Run one side of ``attack``; a runner that crashes gives a report with ``error`` set."""
    if path not in ("vulnerable", "production"):
        raise ValueError(f'path must be "vulnerable" or "production", got {path!r}')
    runner = attack.vulnerable if path == "vulnerable" else attack.production
    error = None
    with Stopwatch() as watch:
        try:
            outcome = runner()
            if not isinstance(outcome, Outcome):
                raise TypeError(f"runner returned {type(outcome).__name__}, not an Outcome")
        except Exception as exc:  # the lab reports every crash instead of stopping at the first
            error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            outcome = Outcome(target="(crashed)", succeeded=False, work=Work(seconds=0.0))
    if error is not None:
        outcome.work.seconds = watch.seconds
    return Report(
        number=attack.label,
        attack=attack.name,
        title=attack.title,
        source=attack.source,
        path=path,
        target=outcome.target,
        succeeded=outcome.succeeded,
        work=outcome.work,
        defence=attack.defence,
        detail=outcome.detail,
        error=error,
    )


def run_all(attacks: Iterable[Attack] | None = None) -> list[Report]:
    """Run both sides of every attack (all registered ones by default): two reports each."""
    chosen = all_attacks() if attacks is None else list(attacks)
    return [run(attack, path) for attack in chosen for path in ("vulnerable", "production")]
