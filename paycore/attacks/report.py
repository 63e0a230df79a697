"""What one run of an attack reports: did it work, what did it cost, what stops it.

An attack's runner returns an :class:`Outcome` (the facts only the runner knows: the target it
hit, whether it recovered the secret, the work it took, and why); the registry adds the
attack's name, source and defence and turns it into a :class:`Report`, one row of the
attack-defence matrix that ``paycore attacks`` prints.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Literal

Side = Literal["vulnerable", "production"]
"""Which side an attack ran against: the deliberately weak target, or :mod:`paycore.secure`."""


@dataclass
class Work:
    """The cost of one attack: oracle queries, guesses (encryptions, iterations ...) and seconds.

    Seconds cover the attack itself, not setting up the target (generating keys, say).
    """

    queries: int = 0
    guesses: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        parts = [_count(self.queries, "query", "queries")] if self.queries else []
        parts += [_count(self.guesses, "guess", "guesses")] if self.guesses else []
        parts.append(f"{self.seconds:.2f} s" if self.seconds >= 0.01 else f"{self.seconds * 1000:.1f} ms")
        return ", ".join(parts)


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


class Stopwatch:
    """``with Stopwatch() as watch: ...`` then ``watch.seconds``: wall-clock time of the block."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.seconds = time.perf_counter() - self._start


@dataclass
class Outcome:
    """What a runner found: the target, whether the secret fell, the work, and a sentence why."""

    target: str
    succeeded: bool
    work: Work = field(default_factory=Work)
    detail: str = ""


@dataclass
class Report:
    """One row of the attack-defence matrix.

    ``ok`` is what the lab checks: the attack must succeed on its vulnerable target and fail
    on the production path, and neither run may crash (``error``).
    """

    number: str
    attack: str
    title: str
    source: str
    path: Side
    target: str
    succeeded: bool
    work: Work
    defence: str
    detail: str
    error: str | None = None

    @property
    def expected(self) -> bool:
        """The outcome the lab expects: success on the vulnerable path, failure on production."""
        return self.path == "vulnerable"

    @property
    def ok(self) -> bool:
        """True when the run did not crash and came out as expected."""
        return self.error is None and self.succeeded == self.expected

    def to_dict(self) -> dict:
        """A JSON-ready dict (``ok`` and ``expected`` included)."""
        data = asdict(self)
        data["expected"] = self.expected
        data["ok"] = self.ok
        return data
