"""Time, injected: services ask a clock instead of reading ``time.time()`` deep inside.

Replay windows, order expiry and notification retry schedules all depend on the time; with an
injected clock, tests and notebooks can move it forward an hour in one line instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Anything with ``now()`` returning Unix seconds, and ``sleep()`` to let time pass."""

    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class FakeClock:
    """A clock that moves only when told to (thread-safe), for tests and notebooks.

    >>> clock = FakeClock(1_764_201_600)
    >>> clock.advance(300)
    >>> clock.now()
    1764201900.0
    """

    def __init__(self, start: float = 1_764_201_600.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Waiting on a fake clock moves it on, at once: a retry's pause costs a test no time."""
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        """Move time forward (or back, for a skewed-clock lesson)."""
        with self._lock:
            self._now += seconds

    def set(self, timestamp: float) -> None:
        """Jump to a given time."""
        with self._lock:
            self._now = float(timestamp)
