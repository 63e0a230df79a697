"""Notebook 07's figures: the replay window as a timeline, and the protocol attacks as a matrix."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from paycore.attacks.report import Report
from paycore.figures._canvas import new_figure

SIDES = ("naive", "paycore")
ACCEPTED, REMEMBERED, CHARGED = "#cdeccd", "#9ec5ea", "#c62828"


def replay_timeline(
    recordings: Sequence[tuple[str, int]],
    charges: Mapping[tuple[str, str], Sequence[int]],
    *,
    window: int,
    naive_memory: int,
) -> Figure:
    """One panel per gateway ("naive", "paycore"), one row per recording ``(label, timestamp offset)``:
    a green band where the timestamp check accepts it (drawn from the rule: the naive gateway checks
    only the past, paycore ``window`` seconds on both sides), a blue bar for each time its nonce is
    remembered after a charge (``naive_memory`` seconds from arrival, or until ``max(timestamp, now) +
    window``), and a red dot at every charge measured, ``charges[side, label]`` in seconds."""
    fig = new_figure(11, 6)
    axes = fig.subplots(2, 1, sharex=True)
    titles = {
        "naive": f"naive gateway: only the past is checked, nonces are kept {naive_memory} s after arrival",
        "paycore": (
            f"paycore gateway: {window} s on both sides, nonces kept until max(timestamp, now) + {window} s"
        ),
    }
    for ax, side in zip(axes, SIDES, strict=True):
        for row, (label, offset) in enumerate(recordings):
            opens = -10 * 60 if side == "naive" else offset - window
            closes = offset + window
            if closes > 0:
                start = max(opens, -60)
                ax.barh(
                    row,
                    (closes - start) / 60,
                    left=start / 60,
                    height=0.6,
                    color=ACCEPTED,
                    edgecolor="#5a9a5a",
                    label="timestamp accepted" if row == 1 else None,
                )
            for t in charges[side, label]:
                until = t + naive_memory if side == "naive" else max(offset, t) + window
                ax.barh(
                    row,
                    (until - t) / 60,
                    left=t / 60,
                    height=0.25,
                    color=REMEMBERED,
                    edgecolor="#3b75af",
                    label="nonce remembered" if (row, t) == (1, 0) else None,
                )
            times = [t / 60 for t in charges[side, label]]
            ax.plot(
                times,
                [row] * len(times),
                "o",
                color=CHARGED,
                markersize=6,
                label="payer charged" if row == 1 else None,
                zorder=3,
            )
            ax.text(71.5, row, f"charged {len(charges[side, label])}×", va="center", fontsize=9)
        ax.set_yticks(range(len(recordings)), [label for label, _ in recordings])
        ax.set_ylim(len(recordings) - 0.4, -0.6)
        ax.set_title(titles[side], fontsize=10, loc="left")
        ax.axvline(0, color="#888888", lw=0.8, ls=":")
        ax.grid(axis="x", alpha=0.3)
    axes[0].legend(loc="upper center", fontsize=8, ncol=3)  # in the empty top row
    axes[1].set_xlabel("the gateway's clock: minutes after the recording was made (a send every 25 s)")
    axes[1].set_xlim(-1, 77)
    return fig


def refusal_codes(report: Report) -> list[str]:
    """The refusals a production run met (``"401 REPLAYED_NONCE"``, ...), in the order it tried them."""
    return list(dict.fromkeys(re.findall(r"HTTP (\d{3} [A-Z_]+)", report.detail)))


MATRIX_COLUMNS = (  # (title, left edge, width)
    ("attack", 0, 3.2),
    ("the naive party", 3.2, 3.9),
    ("paycore", 7.1, 3.0),
    ("the defence", 10.1, 4.9),
)


def attack_matrix(pairs: Sequence[tuple[Report, Report]]) -> Figure:
    """The attack-defence matrix as a table, one row per ``(vulnerable, production)`` pair of reports:
    the attack, the naive party (red where the attack worked), paycore's refusal codes (green where it
    was refused), and the defence."""
    fig = new_figure(12, 5.2)
    ax = fig.add_subplot()
    for title, left, _ in MATRIX_COLUMNS:
        ax.text(left + 0.1, -0.35, title, fontsize=10, weight="bold", va="center")
    for row, (weak, strong) in enumerate(pairs):
        texts = [
            f"{weak.number}  {weak.attack}",
            "\n".join(textwrap.wrap(weak.target, 34)),
            "\n".join(refusal_codes(strong)),
            "\n".join(textwrap.wrap(weak.defence, 50)),
        ]
        fills = [
            "white",
            *("#f6c4c4" if report.succeeded else "#cdeccd" for report in (weak, strong)),
            "white",
        ]
        for (_, left, width), text, fill in zip(MATRIX_COLUMNS, texts, fills, strict=True):
            ax.add_patch(Rectangle((left, row), width, 1, facecolor=fill, edgecolor="#bbbbbb"))
            ax.text(left + 0.1, row + 0.5, text, fontsize=8, va="center")
    ax.text(3.3, len(pairs) + 0.35, "red: the attack worked", fontsize=8, color="#b71c1c")
    ax.text(7.2, len(pairs) + 0.35, "green: refused, nothing charged or changed", fontsize=8, color="#2e7d32")
    ax.set_xlim(-0.05, 15.05)
    ax.set_ylim(len(pairs) + 0.7, -0.7)
    ax.axis("off")
    return fig
