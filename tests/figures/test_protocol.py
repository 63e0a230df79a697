"""Notebook 07's figures: the replay timeline and the attack matrix."""

import pytest

from paycore import figures
from paycore.attacks.report import Report, Work
from paycore.figures.protocol import refusal_codes

from .conftest import rectangles, texts

RECORDINGS = [("signed 1 h ago", -3600), ("signed now", 0), ("signed 1 h ahead", 3600)]
CHARGES = {
    ("naive", "signed 1 h ago"): [],
    ("naive", "signed now"): [0, 300],
    ("naive", "signed 1 h ahead"): [0, 325, 650],
    ("paycore", "signed 1 h ago"): [],
    ("paycore", "signed now"): [0],
    ("paycore", "signed 1 h ahead"): [3300],
}


def red_dots(ax):
    return [list(line.get_xdata()) for line in ax.lines if line.get_marker() == "o"]


def test_the_timeline_marks_every_charge_and_counts_them():
    naive, paycore = figures.replay_timeline(RECORDINGS, CHARGES, window=300, naive_memory=300).axes
    assert red_dots(naive) == [[], [0, 5], [0, 325 / 60, 650 / 60]]
    assert red_dots(paycore) == [[], [0], [55]]
    assert [text for text in texts(naive) if text.startswith("charged")] == [
        "charged 0×",
        "charged 2×",
        "charged 3×",
    ]
    assert "300 s on both sides" in paycore.get_title(loc="left")


def test_the_timeline_draws_the_acceptance_window_from_the_rule():
    naive, paycore = figures.replay_timeline(RECORDINGS, CHARGES, window=300, naive_memory=300).axes
    # paycore, signed 1 h ahead: accepted from minute 55 to minute 65; then its nonce is kept until 65
    windows = [bar for bar in paycore.patches if bar.get_height() == pytest.approx(0.6)]
    assert [(bar.get_x(), bar.get_x() + bar.get_width()) for bar in windows][-1] == pytest.approx((55, 65))
    memories = [bar for bar in naive.patches if bar.get_height() == pytest.approx(0.25)]
    assert len(memories) == 5 and all(bar.get_width() == pytest.approx(5) for bar in memories)
    assert len([bar for bar in naive.patches if bar.get_height() == pytest.approx(0.6)]) == 2  # not 1 h ago


def report(path, succeeded, detail):
    return Report(
        number="14",
        attack="replay",
        title="Replay",
        source="-",
        path=path,
        target="gateway that checks signatures only",
        succeeded=succeeded,
        work=Work(),
        defence="a two-sided window plus a nonce store",
        detail=detail,
    )


def test_the_matrix_has_four_cells_per_attack_coloured_by_outcome():
    weak = report("vulnerable", True, "charged twice")
    strong = report(
        "production", False, "HTTP 401 REPLAYED_NONCE; HTTP 401 REPLAYED_NONCE; HTTP 401 UNKNOWN_KEY"
    )
    assert refusal_codes(strong) == ["401 REPLAYED_NONCE", "401 UNKNOWN_KEY"]
    ax = figures.attack_matrix([(weak, strong), (weak, strong)]).axes[0]
    cells = rectangles(ax)
    assert len(cells) == 8
    fills = [cell.get_facecolor()[:3] for cell in cells[:4]]
    assert fills[1][0] > fills[1][1] and fills[2][1] > fills[2][0]  # red where broken, green where refused
    assert "401 REPLAYED_NONCE\n401 UNKNOWN_KEY" in texts(ax)
    assert "14  replay" in texts(ax)
