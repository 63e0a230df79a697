"""Work run concurrently, in lanes: at most a few jobs at once per lane, many lanes side by side.

The notifier delivers to many merchants. One merchant whose endpoint never answers must not hold
up the others, nor take every worker: each destination is a *lane* with a bound on how many of its
jobs run at once, and the lanes share one pool of threads. A job that is already queued or running
is not queued twice.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Lanes(Generic[Item, Result]):
    """Runs ``work(item)`` for submitted items, ``per_lane`` at a time in each lane, ``workers`` in all.

    ``work`` must not raise (a job that fails says so in its result); should it raise anyway, its
    future holds the exception and the lane carries on.
    """

    def __init__(self, work: Callable[[Item], Result], *, workers: int, per_lane: int, name: str) -> None:
        if workers < 1 or per_lane < 1:
            raise ValueError("lanes need at least one worker and one job per lane")
        self._work = work
        self._per_lane = per_lane
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._queued: dict[Hashable, deque[tuple[Item, Future]]] = {}
        self._running: Counter[Hashable] = Counter()
        self._jobs: dict[Hashable, Future] = {}

    def submit(self, lane: Hashable, job: Hashable, item: Item) -> Future:
        """Queue ``item`` (called ``job``) in ``lane``; a job already queued or running keeps its future."""
        with self._lock:
            if job in self._jobs:
                return self._jobs[job]
            future: Future = Future()
            self._jobs[job] = future
            future.add_done_callback(lambda _: self._forget(job))
            self._queued.setdefault(lane, deque()).append((item, future))
            if self._running[lane] < self._per_lane:
                self._running[lane] += 1
                self._pool.submit(self._drain, lane)
            return future

    def _forget(self, job: Hashable) -> None:
        with self._lock:
            self._jobs.pop(job, None)

    def _drain(self, lane: Hashable) -> None:
        while True:
            with self._lock:
                queue = self._queued.get(lane)
                if not queue:
                    self._running[lane] -= 1
                    self._queued.pop(lane, None)
                    return
                item, future = queue.popleft()
            try:
                future.set_result(self._work(item))
            except BaseException as exc:  # the contract says work never raises; keep the lane alive anyway
                future.set_exception(exc)

    def busy(self) -> int:
        """How many jobs are queued or running."""
        with self._lock:
            return len(self._jobs)

    def close(self) -> None:
        """Stop taking jobs; running ones finish, queued ones are dropped (their messages stay due)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
