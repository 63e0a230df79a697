"""Helpers to read back what a figure drew (texts, rectangles, bars), so tests check content, not pixels."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.patches import Rectangle


def texts(ax: Axes) -> list[str]:
    """Every text and annotation on ``ax``, in the order drawn."""
    return [text.get_text() for text in ax.texts]


def rectangles(ax: Axes) -> list[Rectangle]:
    """The plain rectangles on ``ax`` (bars and cells), not the fancy boxes or the legend's swatches."""
    return [patch for patch in ax.patches if type(patch) is Rectangle]


def bar_values(ax: Axes) -> list[list[float]]:
    """The heights (or widths, for horizontal bars) of each group of bars, one list per ``bar`` call."""
    groups = []
    for container in ax.containers:
        horizontal = getattr(container, "orientation", "vertical") == "horizontal"
        groups.append([bar.get_width() if horizontal else bar.get_height() for bar in container])
    return groups


def legend_labels(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    return [text.get_text() for text in legend.get_texts()] if legend else []
