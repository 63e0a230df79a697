"""How long factoring takes: a measured curve for small ``n``, and the GNFS estimate for real ones.

Two different things, kept apart and labelled:

* **Measured** (:func:`measure_factoring_curve`): this machine, the lab's pure-Python Pollard rho,
  balanced ``n = pq`` of 24 to ~70 bits. Rho's cost grows like ``n^(1/4)`` -- exponentially in the
  bit length -- so :func:`fit_exponential` fits a straight line to ``log2(seconds)`` and shows
  how hopeless rho is beyond ~100 bits.
* **Estimated** (:func:`gnfs_core_years`): the general number field sieve, the best known
  method, runs in ``L_n[1/3, (64/9)^(1/3)] = exp(1.923 (ln n)^(1/3) (ln ln n)^(2/3))`` up to a
  factor ``e^o(1)`` nobody knows exactly. We anchor that curve on a published record --
  RSA-250 (829 bits), about 2700 core-years in 2020 -- and scale it to other sizes. That is an
  *estimate*, good to an order of magnitude or two, and it is not calibrated on this machine:
  tiny numbers say nothing about the sieve's constant.

Either way the conclusion stands: 512-bit keys (the seed article's) have been factorable since
1999 and are cheap today; 2048-bit keys are far out of reach.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from paycore.attacks.factoring import pollard_rho
from paycore.textbook import random_prime, teaching_rng

SECONDS_PER_YEAR = 365.25 * 24 * 3600
GNFS_CONSTANT = (64 / 9) ** (1 / 3)


@dataclass(frozen=True)
class Record:
    """A published factoring record: the yardsticks on the curve."""

    name: str
    bits: int
    year: int
    core_years: float | None
    effort: str


RECORDS = (
    Record("RSA-155", 512, 1999, None, "about 8000 MIPS-years on 1999 machines (Cavallar et al., 2000)"),
    Record("RSA-768", 768, 2009, 2000.0, "almost 2000 core-years, 2.2 GHz Opteron (Kleinjung et al., 2010)"),
    Record("RSA-240", 795, 2019, 900.0, "about 900 core-years, 2.1 GHz Xeon Gold 6130 (Boudot et al.)"),
    Record("RSA-250", 829, 2020, 2700.0, "about 2700 core-years, 2.1 GHz Xeon Gold 6130 (Boudot et al.)"),
)
ANCHOR = RECORDS[-1]
"""The record the GNFS estimate is scaled from (the largest, and with modern hardware)."""


def gnfs_log_work(bits: int) -> float:
    """``ln L_n[1/3, (64/9)^(1/3)]`` for a ``bits``-bit ``n`` (the log: L itself overflows a float)."""
    ln_n = bits * math.log(2)
    return GNFS_CONSTANT * ln_n ** (1 / 3) * math.log(ln_n) ** (2 / 3)


def gnfs_core_years(bits: int, anchor: Record = ANCHOR) -> float:
    """ESTIMATE of the core-years a GNFS factorisation of a ``bits``-bit modulus takes.

    ``anchor.core_years * L(bits) / L(anchor.bits)``: the heuristic running time, scaled to one
    published record. Treat it as an order of magnitude.
    """
    if anchor.core_years is None:
        raise ValueError(f"{anchor.name} has no core-year figure to scale from")
    return anchor.core_years * math.exp(gnfs_log_work(bits) - gnfs_log_work(anchor.bits))


@dataclass(frozen=True)
class CurvePoint:
    """One measured size: the median seconds (and rho steps) over ``samples`` moduli."""

    bits: int
    seconds: float
    steps: int
    samples: int


def measure_factoring_curve(
    sizes: Sequence[int] = tuple(range(24, 69, 4)), samples: int = 3, seed: str = "factoring curve"
) -> list[CurvePoint]:
    """Time :func:`~paycore.attacks.factoring.pollard_rho` on balanced moduli of each size (MEASURED)."""
    rng = teaching_rng(seed)
    points = []
    for bits in sizes:
        seconds, steps = [], []
        for _ in range(samples):
            p, q = random_prime(bits // 2, rng=rng), random_prime(bits - bits // 2, rng=rng)
            start = time.perf_counter()
            factor, used = pollard_rho(p * q)
            seconds.append(time.perf_counter() - start)
            steps.append(used)
            if factor not in (p, q):
                raise RuntimeError(f"rho failed on a {bits}-bit modulus")  # pragma: no cover
        points.append(CurvePoint(bits, statistics.median(seconds), int(statistics.median(steps)), samples))
    return points


def fit_exponential(points: Sequence[CurvePoint]) -> tuple[float, float]:
    """Least-squares ``log2(seconds) = a + b * bits``; returns ``(a, b)``. Rho predicts ``b`` near 1/4."""
    if len(points) < 2:
        raise ValueError("need at least two points to fit a line")
    xs = [p.bits for p in points]
    ys = [math.log2(max(p.seconds, 1e-9)) for p in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return mean_y - slope * mean_x, slope


def describe_years(years: float) -> str:
    """A human size for a duration in years: ``"27 days"``, ``"6e+05 years"``."""
    if years < 1 / 365.25:
        return f"{years * SECONDS_PER_YEAR / 3600:.1f} hours"
    if years < 1:
        return f"{years * 365.25:.0f} days"
    if years < 1e4:
        return f"{years:,.0f} years"
    return f"{years:.0e} years"


def estimate_table(sizes: Sequence[int] = (512, 1024, 2048)) -> list[tuple[int, float, str]]:
    """``(bits, core-years, readable)`` for each size: the GNFS ESTIMATE, anchored on :data:`ANCHOR`."""
    return [(bits, gnfs_core_years(bits), describe_years(gnfs_core_years(bits))) for bits in sizes]
