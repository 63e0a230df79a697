"""The chart helpers write real PNG files and read points the right way round (not how they look)."""

import pytest

from paycore.bench import plotting
from tests.bench.records import result

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_rate_points_sorted_by_x_with_spread():
    results = [
        result("b", 50.0, params={"bits": 4096}, low=40.0, high=60.0),
        result("a", 200.0, params={"bits": 2048}),
    ]
    points = plotting.rate_points(results, "bits")
    assert [(p.x, p.y) for p in points] == [(2048, 200.0), (4096, 50.0)]
    assert (points[1].low, points[1].high) == (40.0, 60.0)


def test_seconds_invert_the_rates_and_swap_the_bounds():
    point = plotting.rate_points(
        [result("k", 4.0, params={"bits": 2048}, low=2.0, high=5.0)], "bits", per_op="seconds"
    )[0]
    assert (point.y, point.low, point.high) == (0.25, 0.2, 0.5)


def test_megabytes_scale_by_bytes_per_operation():
    point = plotting.rate_points(
        [result("s", 10.0, params={"n": 1}, bytes_per_op=2_000_000)], "n", per_op="mb"
    )[0]
    assert point.y == pytest.approx(20.0)


def test_charts_are_written_as_png(tmp_path):
    out = plotting.plot_directory(tmp_path)
    line = plotting.line_chart(
        {
            "s": plotting.rate_points(
                [result("a", 3.0, params={"n": 256}), result("b", 1.0, params={"n": 1024})], "n"
            )
        },
        title="t",
        xlabel="x",
        ylabel="y",
        logx=True,
        xtick_labels={256: "256 B", 1024: "1 KiB"},
    )
    bars = plotting.bar_chart(
        [("fast", plotting.Point(0, 100.0, 90.0, 110.0)), ("slow", plotting.Point(0, 1.0, 1.0, 1.0))],
        title="t",
        xlabel="x",
        categories=["C", "Python"],
    )
    for figure, name in ((line, "line.png"), (bars, "bars.png")):
        path = plotting.save(figure, out / name)
        assert path.read_bytes()[:8] == PNG_MAGIC
    assert out == tmp_path / "plots"
