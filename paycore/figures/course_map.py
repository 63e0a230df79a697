"""Notebook 00's map of the course."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from paycore.course import PATH, Stop
from paycore.figures._canvas import new_figure

PART_COLOURS = {
    "RSA from the math": "#dbe9f6",
    "padded RSA": "#dcefdc",
    "the payment flow": "#fde9c9",
    "breaking it": "#f8d7d7",
    "measuring it": "#e6dcf2",
    "real APIs": "#d9f0ef",
}
"""One background colour per part of the course; a part not listed here is drawn grey."""

_WIDTH, _HEIGHT, _GAP, _PART_GAP = 1.35, 1.0, 0.35, 0.75


def learning_path(stops: Sequence[Stop] = PATH, *, here: str = "00") -> Figure:
    """The notebooks in reading order: one box per notebook (number, title, minutes), an arrow to the
    next, and a shaded band with a title for each part of the course."""
    fig = new_figure(13, 3.4)
    ax = fig.add_subplot()
    x, centres, spans = 0.0, [], {}
    for index, stop in enumerate(stops):
        if index and stop.part != stops[index - 1].part:
            x += _PART_GAP  # a little more room between two parts
        centres.append(x + _WIDTH / 2)
        left, right = spans.get(stop.part, (x, x + _WIDTH))
        spans[stop.part] = (min(left, x), max(right, x + _WIDTH))
        x += _WIDTH + _GAP

    for part, (left, right) in spans.items():  # the parts, as shaded bands with a title
        pad = max(0.12, (2.0 - (right - left)) / 2)  # wide enough for the part's title
        band = FancyBboxPatch(
            (left - pad, -0.2),
            right - left + 2 * pad,
            _HEIGHT + 0.75,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            color=PART_COLOURS.get(part, "#eeeeee"),
            zorder=0,
        )
        ax.add_patch(band)
        ax.text(
            (left + right) / 2, _HEIGHT + 0.38, part, ha="center", va="center", fontsize=10, style="italic"
        )

    for centre, stop in zip(centres, stops, strict=True):  # one box per notebook
        box = FancyBboxPatch(
            (centre - _WIDTH / 2, 0),
            _WIDTH,
            _HEIGHT,
            boxstyle="round,pad=0.02,rounding_size=0.06",
            facecolor="white",
            edgecolor="0.3",
            zorder=2,
        )
        ax.add_patch(box)
        ax.text(
            centre,
            _HEIGHT * 0.74,
            stop.number,
            ha="center",
            va="center",
            fontsize=13,
            weight="bold",
            zorder=3,
        )
        ax.text(centre, _HEIGHT * 0.40, stop.title, ha="center", va="center", fontsize=8.5, zorder=3)
        ax.text(
            centre, _HEIGHT * 0.10, f"{stop.minutes} min", ha="center", va="center", fontsize=8, color="0.35"
        )

    for left, right in pairwise(centres):  # the order to read them in
        ax.annotate(
            "",
            xy=(right - _WIDTH / 2 - 0.02, _HEIGHT / 2),
            xytext=(left + _WIDTH / 2 + 0.02, _HEIGHT / 2),
            arrowprops={"arrowstyle": "-|>", "color": "0.25", "lw": 1.4},
            zorder=1,
        )
    ax.set_xlim(-0.6, x - _GAP + 0.6)
    ax.set_ylim(-0.35, _HEIGHT + 0.65)
    ax.set_axis_off()
    first = stops[0].number if stops else "?"
    ax.set_title(f"The learning path: you are at {here}; start with {first}", fontsize=12)
    return fig
