"""A synthetic suite for the runner and CLI tests: two cheap operations, one ratio, one plot."""

from paycore.bench import plotting
from paycore.bench.harness import Case, Skipped
from paycore.bench.ratios import Lookup, present

NAME = "tiny"
TITLE = "a synthetic suite for tests"
QUESTION = "Does summing 10 numbers beat summing 1000?"


def cases(quick=False):
    return [
        Case("sum 10", "sum", lambda: sum(range(10)), {"n": 10, "series": "sum"}, bytes_per_op=80),
        Case("sum 1000", "sum", lambda: sum(range(1000)), {"n": 1000, "series": "sum"}, bytes_per_op=8000),
        Skipped("sum forever", "not on this machine"),
    ]


def ratios(results):
    look = Lookup(results)
    return present(
        look.ratio(
            "small_vs_big", "Summing 10 numbers is {x} faster than summing 1000", "sum 10", "sum 1000"
        ),
        look.ratio("missing", "never shown {x}", "sum 10", "no such case"),
    )


def plot(results, out):
    figure = plotting.line_chart(
        {"sum": plotting.rate_points(results, "n")}, title="sums", xlabel="n", ylabel="ops/s", logx=True
    )
    return [plotting.save(figure, out / "tiny.png")]
