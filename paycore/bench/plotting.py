"""The chart shapes the suites need (rates against a size, a ranked bar chart, a time budget), as PNG.

Figures are built with matplotlib's object API (``Figure`` with the Agg canvas), never through
``pyplot``: no window opens, no global backend is switched (a notebook importing this keeps its
inline plots), and nothing needs a display. Error bars show the min-max of the repeats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from paycore.bench.breakdown import Breakdown
from paycore.bench.harness import Result

PLOTS_DIR = "plots"


@dataclass(frozen=True)
class Point:
    """One measured value with its spread (for error bars)."""

    x: float
    y: float
    low: float
    high: float


def plot_directory(out: Path) -> Path:
    """Where a run's PNGs go: ``<out>/plots``."""
    path = Path(out) / PLOTS_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def rate_points(results: Iterable[Result], x_param: str, *, per_op: str = "ops") -> list[Point]:
    """Points ``(params[x_param], rate)`` sorted by x; ``per_op`` = ``ops``, ``seconds`` or ``mb``."""
    points = []
    for result in results:
        x = result.params[x_param]
        if per_op == "seconds":
            point = Point(x, 1 / result.median_ops, 1 / result.max_ops, 1 / result.min_ops)
        elif per_op == "mb":
            scale = (result.bytes_per_op or 0) / 1e6
            point = Point(x, result.median_ops * scale, result.min_ops * scale, result.max_ops * scale)
        else:
            point = Point(x, result.median_ops, result.min_ops, result.max_ops)
        points.append(point)
    return sorted(points, key=lambda point: point.x)


def line_chart(
    series: dict[str, list[Point]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    logx: bool = False,
    logy: bool = True,
    xtick_labels: dict[float, str] | None = None,
    size: tuple[float, float] = (8.0, 5.0),
) -> Figure:
    """One line per series, with min-max error bars, on a log y axis by default."""
    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for label, points in series.items():
        if not points:
            continue
        xs, ys = [p.x for p in points], [p.y for p in points]
        errors = [[p.y - p.low for p in points], [p.high - p.y for p in points]]
        axes.errorbar(xs, ys, yerr=errors, marker="o", capsize=3, label=label)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if logx:
        axes.set_xscale("log", base=2)
    xs = sorted({point.x for points in series.values() for point in points})
    axes.set_xticks(xs, [xtick_labels.get(x, str(x)) for x in xs] if xtick_labels else [f"{x:g}" for x in xs])
    axes.xaxis.set_minor_locator(NullLocator())
    if logy:
        axes.set_yscale("log")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small", loc="best")
    return figure


def bar_chart(
    bars: list[tuple[str, Point]],
    *,
    title: str,
    xlabel: str,
    log: bool = True,
    categories: list[str] | None = None,
    value_format: str = "{:,.0f}",
) -> Figure:
    """Horizontal bars, fastest at the top, each labelled with its value; colour by ``categories``."""
    order = sorted(range(len(bars)), key=lambda index: bars[index][1].y)
    figure = Figure(figsize=(8.0, 0.42 * len(bars) + 1.6), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    kinds = [categories[index] for index in order] if categories else [""] * len(order)
    palette = {kind: f"C{number}" for number, kind in enumerate(dict.fromkeys(kinds))}
    for row, index in enumerate(order):
        point = bars[index][1]
        axes.barh(
            row,
            point.y,
            xerr=[[point.y - point.low], [point.high - point.y]],
            capsize=2,
            color=palette[kinds[row]],
            alpha=0.85,
            label=kinds[row] or None,
        )
        axes.annotate(
            value_format.format(point.y),
            (point.high, row),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    axes.set_yticks(range(len(order)), [bars[index][0] for index in order])
    if log:
        axes.set_xscale("log")
    axes.set(title=title, xlabel=xlabel)
    axes.grid(True, axis="x", which="both", alpha=0.3)
    axes.margins(x=0.15)
    if categories:
        handles, labels = axes.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        axes.legend(unique.values(), unique.keys(), fontsize="small", loc="lower right")
    return figure


def save(figure: Figure, path: Path) -> Path:
    """Write a PNG (100 dpi keeps committed files small)."""
    figure.savefig(path, dpi=100)
    return path


def breakdown_chart(split: Breakdown) -> Figure:
    """The parts of a :class:`~paycore.bench.breakdown.Breakdown` as stacked bars, one bar per layer added.

    The first bar holds the first parts that make the innermost flow; each bar below adds the next
    part, so the bottom bar is the whole. Milliseconds on a linear axis: the parts must add up.
    """
    parts = list(split.parts)
    inner = max(len(parts) - 3, 1)  # the innermost flow: every part but the last three layers
    rows = [parts[:inner], *(parts[: inner + extra + 1] for extra in range(len(parts) - inner))]
    names = ["services, in memory", "+ durable files", "+ FastAPI (ASGI)", "+ TCP (uvicorn)"]
    figure = Figure(figsize=(8.0, 0.5 * len(rows) + 2.8), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for row, included in enumerate(rows):
        left = 0.0
        for index, part in enumerate(included):
            axes.barh(
                -row,
                part.ms,
                left=left,
                color=f"C{index}",
                label=part.label if row == len(rows) - 1 else None,
            )
            left += part.ms
        axes.annotate(f"{left:.2f} ms", (left, -row), xytext=(4, 0), textcoords="offset points", va="center")
    axes.set_yticks([-row for row in range(len(rows))], names[: len(rows)])
    axes.set(title=f"{split.title[0].upper()}{split.title[1:]} (ms per payment)", xlabel="milliseconds")
    axes.margins(x=0.15)
    axes.grid(True, axis="x", alpha=0.3)
    figure.legend(fontsize="small", loc="outside lower center", ncols=2)
    return figure
