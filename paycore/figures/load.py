"""Notebook 08's figure of a server under load: payments per second and p99 latency against users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from paycore.figures._canvas import new_figure

if TYPE_CHECKING:
    from paycore.bench.decide import LoadLevel

WORKER_STYLES = {1: ("-", "o"), 2: ("--", "s")}
"""Line style and marker per worker count; a database keeps one colour in both panels."""


def load_curves(levels: Sequence[LoadLevel], *, title: str = "paycore serve under load") -> Figure:
    """Two panels against the number of virtual users (log scale): payments per second, and the p99
    latency of one payment in milliseconds (log scale). One line per database and worker count, in the
    order the levels come (:func:`paycore.bench.decide.load_levels`), each line sorted by users."""
    lines: dict[tuple[str, int], list[LoadLevel]] = {}
    for level in levels:
        lines.setdefault((level.database, level.workers), []).append(level)
    colours = {database: f"C{number}" for number, database in enumerate(dict.fromkeys(d for d, _ in lines))}
    fig = new_figure(10, 4)
    rate, tail = fig.subplots(1, 2)
    for (database, workers), points in lines.items():
        points = sorted(points, key=lambda level: level.users)
        style, marker = WORKER_STYLES.get(workers, (":", "^"))
        label = f"{database}, {workers} worker{'s' if workers != 1 else ''}"
        users = [level.users for level in points]
        for ax, values in ((rate, [p.per_second for p in points]), (tail, [p.p99_ms for p in points])):
            ax.plot(users, values, linestyle=style, marker=marker, color=colours[database], label=label)
    every_count = sorted({level.users for level in levels})
    for ax in (rate, tail):
        ax.set_xscale("log", base=2)
        ax.set_xticks(every_count, [str(count) for count in every_count])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("virtual users (each pays again as soon as it is paid)")
        ax.grid(True, which="both", alpha=0.3)
    rate.set_ylim(bottom=0)
    rate.set(title="payments per second", ylabel="payments / s")
    tail.set_yscale("log")
    tail.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    tail.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    tail.yaxis.set_minor_locator(NullLocator())
    tail.set(title="p99 latency of one payment", ylabel="ms (log scale)")
    rate.legend(fontsize="small", loc="lower right")
    fig.suptitle(title)
    return fig
