"""The learning path of notebook 00: one box per notebook, in order, grouped into its parts."""

from matplotlib.patches import FancyBboxPatch

from paycore import figures
from paycore.course import PATH, Stop

from .conftest import texts


def boxes(ax, facecolor):
    return [
        patch
        for patch in ax.patches
        if isinstance(patch, FancyBboxPatch) and tuple(patch.get_facecolor()[:3]) == facecolor
    ]


def test_every_notebook_of_the_path_gets_a_box_with_its_number_title_and_minutes():
    ax = figures.learning_path().axes[0]
    drawn = texts(ax)
    assert len(boxes(ax, (1.0, 1.0, 1.0))) == len(PATH)
    for stop in PATH:
        assert stop.number in drawn and stop.title in drawn and f"{stop.minutes} min" in drawn
    numbers = [text for text in drawn if text in {stop.number for stop in PATH}]
    assert numbers == [stop.number for stop in PATH], "the boxes are drawn in reading order"


def test_one_band_per_part_and_one_arrow_between_neighbours():
    stops = [
        Stop("01", "one", "part A", ("3.1",), (), 10),
        Stop("02", "two", "part A", ("3.2",), (), 20),
        Stop("03", "three", "part B", ("3.3",), (), 30),
    ]
    ax = figures.learning_path(stops).axes[0]
    bands = [patch for patch in ax.patches if isinstance(patch, FancyBboxPatch) and patch.get_zorder() == 0]
    assert len(bands) == 2
    assert {"part A", "part B"} <= set(texts(ax))
    arrows = [text for text in ax.texts if getattr(text, "arrow_patch", None) is not None]
    assert len(arrows) == len(stops) - 1
    assert ax.get_title() == "The learning path: you are at 00; start with 01"
