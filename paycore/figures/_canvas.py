"""The one way the figures are made: a :class:`~matplotlib.figure.Figure` outside pyplot's global state."""

from __future__ import annotations

import sys

from matplotlib.figure import Figure

_inline_ready = False


def _draw_returned_figures_in_jupyter() -> None:
    """In a Jupyter kernel, switch on the inline backend, the part that draws a figure a cell returns.

    ipykernel selects that backend, but it registers its drawing hook only once pyplot has loaded it,
    which neither importing matplotlib nor building a ``Figure`` does. Elsewhere (tests, scripts, a
    terminal IPython) nothing happens.
    """
    global _inline_ready
    if _inline_ready:
        return
    _inline_ready = True
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and hasattr(shell, "kernel"):
        shell.run_line_magic("matplotlib", "inline")


def new_figure(width: float, height: float, *, tight: bool = True) -> Figure:
    """An empty figure of ``width`` x ``height`` inches, not registered with pyplot.

    So a test can build many without leaking memory, and a notebook shows each one once, as the
    value its cell returns (a pyplot figure would be drawn a second time when the cell ends).
    """
    _draw_returned_figures_in_jupyter()
    return Figure(figsize=(width, height), layout="tight" if tight else None)
