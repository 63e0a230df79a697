"""Was the machine quiet enough to conclude anything? The run's load and spreads, judged.

A benchmark on a shared machine measures the neighbours too. Two signs say by how much: the load
average (more runnable processes than cores means the benchmark waited for a CPU) and the spread
of each case's repeats (a steady machine repeats itself within a few percent). A run with either
sign is *noisy*: the report still lists its numbers, but judges no target with them, and says so.
Key generation is left out of the spreads: it is a random search, whose spread is the algorithm's.
"""

from __future__ import annotations

from dataclasses import dataclass

LOAD_PER_CORE = 1.0
"""A load average above this many runnable processes per core means the run shared the CPU."""
SPREAD_LIMIT = 0.10
"""A case whose repeats' interquartile range exceeds 10% of their median did not repeat itself."""
NOISY_SHARE = 0.25
"""A run in which more than a quarter of the timed cases spread beyond :data:`SPREAD_LIMIT` is noisy."""
RANDOM_SEARCH_GROUPS = frozenset({"keygen"})


@dataclass(frozen=True)
class Quality:
    """How quiet a run was: the reasons it was noisy (none when it was quiet), and its spread counts."""

    reasons: tuple[str, ...]
    spread_cases: int
    timed_cases: int

    @property
    def noisy(self) -> bool:
        return bool(self.reasons)

    def sentence(self) -> str:
        """One paragraph for the report."""
        if self.noisy:
            reasons = "; ".join(self.reasons)
            return (
                "**A noisy run: too noisy to conclude.** "
                + reasons[0].upper()
                + reasons[1:]
                + ". Its numbers are listed below, but no target is judged on them, and a ratio outside "
                "what is physically possible is not stated. Run it again on a quieter machine."
            )
        return (
            f"The machine was quiet enough: the load stayed within the cores, and {self.spread_cases} of "
            f"{self.timed_cases} timed cases spread more than {SPREAD_LIMIT:.0%} between repeats."
        )


def _loads(run: dict) -> list[tuple[str, float]]:
    found = []
    for when, key in (("start", "load_average_start"), ("end", "load_average_end")):
        if run.get(key):
            found.append((f"at the {when}", run[key][0]))
    for index, sample in enumerate(run.get("load_average_during") or []):
        if sample.get("load"):
            found.append((f"after suite {sample.get('suite', index + 1)}", sample["load"][0]))
    return found


def assess(record: dict) -> Quality:
    """Judge a run record (as the runner writes it) by its load averages and its cases' spreads."""
    cores = record["machine"].get("cores") or 1
    reasons = []
    high = [(when, load) for when, load in _loads(record["run"]) if load > LOAD_PER_CORE * cores]
    if high:
        shown = ", ".join(f"{load:.2f} {when}" for when, load in high)
        reasons.append(
            f"the 1-minute load average was above the {cores} cores ({shown}): other work shared the CPU"
        )
    spreads = {
        row["name"]: row["rel_iqr"]
        for suite in record["suites"]
        for row in suite["results"]
        if row.get("group") not in RANDOM_SEARCH_GROUPS
    }
    wide = sum(spread > SPREAD_LIMIT for spread in spreads.values())
    if spreads and wide > NOISY_SHARE * len(spreads):
        reasons.append(
            f"{wide} of {len(spreads)} timed cases spread more than {SPREAD_LIMIT:.0%} between repeats"
        )
    return Quality(tuple(reasons), wide, len(spreads))


def verdict(ratio: dict, quality: Quality) -> str:
    """The word the report gives a ratio: pass, missed, unsure, not judged, not stated, or ``-``."""
    if ratio.get("impossible"):
        return "not stated"
    if ratio.get("passed") is None:
        return "-"
    if quality.noisy:
        return "not judged"
    spread = ratio.get("spread") or 0.0
    value = ratio["value"]
    low, high = value * (1 - spread), value * (1 + spread)
    limits = [limit for limit in (ratio.get("at_least"), ratio.get("at_most")) if limit is not None]
    if any(low < limit < high for limit in limits):
        return "unsure"
    return "pass" if ratio["passed"] else "**missed**"
