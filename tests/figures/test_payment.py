"""Notebook 05's figures: the sequence diagram and the retry schedule."""

import pytest

from paycore import figures
from paycore.figures.payment import LANES, MESSAGES
from paycore.payment.gateway.outbox import RETRY_SCHEDULE

from .conftest import texts


def test_the_sequence_diagram_has_four_lifelines_and_one_arrow_per_message():
    ax = figures.payment_sequence().axes[0]
    lifelines = [line for line in ax.lines if line.get_xdata()[0] == line.get_xdata()[1]]
    assert sorted(line.get_xdata()[0] for line in lifelines) == sorted(LANES.values())
    separators = [line for line in ax.lines if line not in lifelines]
    assert len(separators) == sum(1 for source, *_ in MESSAGES if source == "---")
    drawn = texts(ax)
    assert set(LANES) <= set(drawn)
    arrows = [text for text in ax.texts if getattr(text, "arrow_patch", None) is not None]
    assert len(arrows) == sum(1 for source, target, _, _ in MESSAGES if source not in (target, "---"))
    steps = [text for text in drawn if text[:3] in {"3.1", "3.2", "3.3", "3.4", "3.5", "3.6"}]
    assert [text[:3] for text in steps] == ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6"]


def test_the_retry_schedule_plots_the_time_of_each_attempt():
    ax = figures.retry_schedule([15, 15, 30, 180], annotate=(2, 5)).axes[0]
    (line,) = ax.lines
    assert list(line.get_xdata()) == [1, 2, 3, 4, 5]
    assert list(line.get_ydata()) == pytest.approx([0, 15 / 3600, 30 / 3600, 60 / 3600, 240 / 3600])
    assert texts(ax) == ["+15 s", "+3 min"]
    assert ax.get_title().endswith("after attempt 5 the message is dead")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("notification attempt", "hours after the payment")


def test_the_real_schedule_lasts_about_a_day():
    (line,) = figures.retry_schedule(RETRY_SCHEDULE).axes[0].lines
    assert len(line.get_xdata()) == len(RETRY_SCHEDULE) + 1
    assert 20 < line.get_ydata()[-1] < 30
