"""Benchmarks: a small harness and the suites that use it.

Performance is *measured* here and reported with the machine it ran on; it is never asserted
in unit tests (this project's machines are small and noisy). Run ``paycore bench``.
"""

from paycore.bench.harness import Case, Result, machine_info, measure

__all__ = ["Case", "Result", "machine_info", "measure"]
