"""Headline ratios: two cases of the same run, divided, and judged against a target.

Absolute rates on a shared, noisy machine drift from run to run; a ratio of two cases measured
minutes apart in one run is far steadier, so every claim in the report is a ratio. Each has a
sentence for the reader ("CRT speeds decryption by 3.4x"), optionally a target paycore sets
itself ("at least 3"), and a note that says why when the target is missed.

Some ratios cannot physically fall outside a range: a wrapper cannot take less time than the call
it wraps, a flow cannot beat the bound its own parts set. Such a ratio declares that range
(``possible_min``, ``possible_max``); a value beyond it by more than :data:`NOISE_MARGIN` is not a
finding but a sign the run was too noisy, and the report refuses to state it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from paycore.bench.harness import Result

NOISE_MARGIN = 0.03
"""How far past its possible range a ratio may stray (3%) before it is called impossible, not noise."""


@dataclass(frozen=True)
class Ratio:
    """One ratio of two cases' medians.

    ``kind="rate"``: ``value`` = ops/s of ``numerator`` / ops/s of ``denominator`` (a speed-up);
    ``kind="time"``: ``value`` = seconds per op of ``numerator`` / of ``denominator`` (an overhead);
    ``kind="mb_per_s"``: ``value`` = the throughput of ``numerator`` alone, judged against a target.
    ``spread`` is the sum of the two cases' relative interquartile ranges: roughly how far the
    ratio could move within the run's own noise.
    """

    key: str
    headline: str
    value: float
    numerator: str
    denominator: str
    kind: str = "rate"
    at_least: float | None = None
    at_most: float | None = None
    source: str = ""
    note: str = ""
    possible_min: float | None = None
    possible_max: float | None = None
    spread: float | None = None

    @property
    def impossible(self) -> bool:
        """True when the value lies beyond what is physically possible by more than the noise margin."""
        return is_impossible(self.value, self.possible_min, self.possible_max)

    @property
    def passed(self) -> bool | None:
        """``None`` when there is no target or the value is impossible, else whether it meets the target."""
        if (self.at_least is None and self.at_most is None) or self.impossible:
            return None
        low_ok = self.at_least is None or self.value >= self.at_least
        high_ok = self.at_most is None or self.value <= self.at_most
        return low_ok and high_ok

    @property
    def target(self) -> str:
        """The target as text, e.g. ``">= 3"`` (empty when there is none)."""
        parts = []
        if self.at_least is not None:
            parts.append(f">= {self.at_least:,.4g}")
        if self.at_most is not None:
            parts.append(f"<= {self.at_most:,.4g}")
        return " and ".join(parts)

    @property
    def sentence(self) -> str:
        """The headline with the value filled in: ``"... by {x}"`` becomes ``"... by 3.46x"``."""
        if self.kind == "mb_per_s":
            return self.headline.format(x=f"{self.value:,.0f} MB/s")
        return self.headline.format(x=f"{self.value:.2f}x")

    def to_dict(self) -> dict:
        record = asdict(self)
        record.update(
            passed=self.passed, target=self.target, sentence=self.sentence, impossible=self.impossible
        )
        return record


def is_impossible(value: float, low: float | None, high: float | None, margin: float = NOISE_MARGIN) -> bool:
    """Whether ``value`` is outside ``[low, high]`` by more than ``margin`` (relative).

    >>> is_impossible(0.98, 1.0, None), is_impossible(0.93, 1.0, None), is_impossible(1.55, None, 1.0)
    (False, True, True)
    """
    return (low is not None and value < low * (1 - margin)) or (
        high is not None and value > high * (1 + margin)
    )


class Lookup:
    """Find results by case name; missing cases give ``None`` so their ratios are left out."""

    def __init__(self, results: list[Result]) -> None:
        self._by_name = {result.name: result for result in results}

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def get(self, name: str) -> Result | None:
        return self._by_name.get(name)

    def rate(self, name: str) -> float | None:
        result = self._by_name.get(name)
        return None if result is None else result.median_ops

    def seconds(self, name: str) -> float | None:
        rate = self.rate(name)
        return None if rate is None else 1.0 / rate

    def spread(self, *names: str) -> float | None:
        """The summed relative interquartile ranges of the named cases (``None`` if one is missing)."""
        found = [self._by_name.get(name) for name in names]
        return None if None in found else sum(result.rel_iqr for result in found)  # type: ignore[union-attr]

    def ratio(self, key: str, headline: str, faster: str, slower: str, **target) -> Ratio | None:
        """``rate(faster) / rate(slower)`` as a :class:`Ratio`, or ``None`` if either is missing."""
        top, bottom = self.rate(faster), self.rate(slower)
        if top is None or bottom is None:
            return None
        return Ratio(
            key, headline, top / bottom, faster, slower, spread=self.spread(faster, slower), **target
        )

    def time_ratio(self, key: str, headline: str, slower: str, faster: str, **target) -> Ratio | None:
        """``time(slower) / time(faster)``: how many times longer, e.g. an overhead of 1.04."""
        top, bottom = self.seconds(slower), self.seconds(faster)
        if top is None or bottom is None:
            return None
        return Ratio(
            key,
            headline,
            top / bottom,
            slower,
            faster,
            kind="time",
            spread=self.spread(slower, faster),
            **target,
        )

    def throughput(self, key: str, headline: str, name: str, **target) -> Ratio | None:
        """The MB/s of one case (10^6 bytes per second), for a throughput target."""
        result = self.get(name)
        if result is None or result.median_mb_per_s is None:
            return None
        return Ratio(
            key, headline, result.median_mb_per_s, name, "", kind="mb_per_s", spread=result.rel_iqr, **target
        )


def present(*ratios: Ratio | None) -> list[Ratio]:
    """The ratios whose cases were all measured."""
    return [ratio for ratio in ratios if ratio is not None]
