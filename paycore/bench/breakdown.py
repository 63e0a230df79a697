"""Where the time goes: one operation's time split into parts, each measured in the same run.

A part is the difference of two measured cases (the flow with and without the web layer, say) or
a sum of measured operations (four RSA signatures). On a quiet machine the parts are all positive
and add up to the whole. On a noisy one a difference can come out negative -- a flow that seems
faster *with* more work -- and then no split can be stated: :attr:`Breakdown.consistent` is false
and :meth:`Breakdown.lines` says the run was too noisy instead of printing a negative remainder.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from paycore.bench.ratios import NOISE_MARGIN


@dataclass(frozen=True)
class Part:
    """One slice of the time, in milliseconds per operation, and how it was measured."""

    label: str
    ms: float
    how: str


@dataclass(frozen=True)
class Breakdown:
    """``total_ms`` (what ``total`` costs) split into ``parts`` that add up to it."""

    title: str
    total: str
    total_ms: float
    parts: tuple[Part, ...]

    @property
    def negative(self) -> list[Part]:
        """Parts below zero by more than the noise margin of the whole: signs of a noisy run."""
        return [part for part in self.parts if part.ms < -NOISE_MARGIN * self.total_ms]

    @property
    def consistent(self) -> bool:
        """True when no part is negative beyond noise (the split can be stated)."""
        return not self.negative

    def share(self, part: Part) -> float:
        """The part's share of the whole (0 to 1)."""
        return part.ms / self.total_ms

    def lines(self) -> list[str]:
        """A Markdown table of the parts, or the reason none can be given."""
        if not self.consistent:
            shown = "; ".join(f"{part.label} {part.ms:+.2f} ms" for part in self.negative)
            return [
                f"Not stated: the parts of {self.total} ({self.total_ms:.2f} ms) do not add up -- {shown}. "
                "A part cannot take negative time; the run was too noisy to say where the time goes.",
            ]
        rows = [
            f"| {part.label} | {max(part.ms, 0.0):.2f} | {max(self.share(part), 0.0):.0%} | {part.how} |"
            for part in self.parts
        ]
        return [
            f"| {self.title} | ms | share | measured as |",
            "|---|---|---|---|",
            *rows,
            f"| **{self.total}** | **{self.total_ms:.2f}** | 100% | |",
        ]

    def to_dict(self) -> dict:
        """JSON-ready, with the verdict."""
        return {**asdict(self), "consistent": self.consistent}

    @classmethod
    def from_dict(cls, record: dict) -> Breakdown:
        """Rebuild from :meth:`to_dict` output."""
        parts = tuple(Part(**part) for part in record["parts"])
        return cls(record["title"], record["total"], record["total_ms"], parts)
