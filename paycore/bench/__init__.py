"""Benchmarks: a small harness, the suites that use it, and the report they make.

Performance is *measured* here and reported with the machine it ran on; it is never asserted
in unit tests (this project's machines are small and noisy). Run ``paycore bench --quick``;
see ``benchmarks/README.md`` and :mod:`paycore.bench.suites` for how to add a suite.
"""

from paycore.bench.harness import Case, Result, Skipped, measure
from paycore.bench.machine import machine_info
from paycore.bench.ratios import Ratio

__all__ = ["Case", "Ratio", "Result", "Skipped", "machine_info", "measure"]
