"""Compare two runs case by case: did my change make it faster, and do repeat runs agree?

Repeat runs of the same case on an idle machine should agree within 5% at the median;
:func:`compare` gives, for every case the two runs share, the ratio of the new median
rate to the old, and how many cases fall within a tolerance.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    """The shared cases' ``(suite, case, old ops/s, new ops/s, new / old)`` and a summary."""

    rows: list[tuple[str, str, float, float, float]]
    tolerance: float

    @property
    def within(self) -> int:
        """How many cases changed by at most ``tolerance`` (0.05 = 5%)."""
        return sum(1 for *_, ratio in self.rows if abs(ratio - 1) <= self.tolerance)

    @property
    def median_change(self) -> float:
        """The median of ``|new / old - 1|`` over the shared cases."""
        return statistics.median(abs(ratio - 1) for *_, ratio in self.rows) if self.rows else 0.0


def _medians(record: dict) -> dict[tuple[str, str], float]:
    return {
        (suite["name"], result["name"]): result["median_ops"]
        for suite in record["suites"]
        for result in suite["results"]
    }


def compare(old: dict, new: dict, tolerance: float = 0.05) -> Comparison:
    """Match cases by suite and name; cases in only one run are left out."""
    before, after = _medians(old), _medians(new)
    rows = [
        (suite, name, before[suite, name], rate, rate / before[suite, name])
        for (suite, name), rate in after.items()
        if (suite, name) in before
    ]
    return Comparison(rows=rows, tolerance=tolerance)


def format_comparison(comparison: Comparison) -> str:
    """A plain-text table, slowest-changed last, with the summary line."""
    lines = [f"{'suite':10} {'case':55} {'old ops/s':>12} {'new ops/s':>12} {'new/old':>8}"]
    for suite, name, old, new, ratio in sorted(comparison.rows, key=lambda row: abs(row[4] - 1)):
        flag = "" if abs(ratio - 1) <= comparison.tolerance else "  *"
        lines.append(f"{suite:10} {name[:55]:55} {old:12,.1f} {new:12,.1f} {ratio:8.3f}{flag}")
    lines.append(
        f"{comparison.within} of {len(comparison.rows)} cases within {comparison.tolerance:.0%}; "
        f"median change {comparison.median_change:.1%} (* = outside)"
    )
    return "\n".join(lines)
