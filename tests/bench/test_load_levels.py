"""What notebook 08 shows of the ``load`` suite: its levels read from a run record, their table, and
the figure of payments per second and p99 latency against users."""

import pytest

from paycore.bench.decide import LOAD_RUN, format_load, load_levels, load_recorded, recorded_results
from paycore.bench.suites.loadtest import case_name
from paycore.figures import load_curves
from tests.bench.records import record, result


def level(database, workers, users, rate, p50, p99, *, stored=0, growth=False, load=None):
    params = {"database": database, "workers": workers, "users": users, "stored": stored}
    params.update(p50_ms=p50, mean_ms=1000 * users / rate, p95_ms=p99, p99_ms=p99, errors=0)
    params.update(payments=int(rate * 15), load_average=load)
    if growth:
        params["growth"] = True
    name = case_name(database, workers, users, stored) + (" (history)" if growth else "")
    return result(name, rate, group="load", params=params)


def load_record(rows):
    entry = {"name": "load", "results": [r.to_dict() for r in rows], "ratios": [], "skipped": []}
    return record([entry])


ROWS = [
    level("sqlite", 1, 8, 90.0, 80.0, 150.0, load=[2.5, 2.0, 1.0]),
    level("sqlite", 1, 1, 75.0, 10.0, 40.0, load=[1.5, 1.0, 1.0]),
    level("sqlite", 2, 32, 100.0, 300.0, 600.0),
    level("sqlite", 2, 32, 99.0, 300.0, 650.0, stored=10_000, growth=True),
    level("postgresql", 1, 1, 40.0, 20.0, 60.0),
    level("postgresql", 1, 8, 55.0, 140.0, 240.0),
]


def test_the_levels_come_in_the_order_measured_without_the_history_levels():
    levels = load_levels(load_record(ROWS))
    assert [(x.database, x.workers, x.users) for x in levels] == [
        ("sqlite", 1, 8),
        ("sqlite", 1, 1),
        ("sqlite", 2, 32),
        ("postgresql", 1, 1),
        ("postgresql", 1, 8),
    ]
    first = levels[0]
    assert (first.per_second, first.p50_ms, first.p99_ms, first.errors) == (90.0, 80.0, 150.0, 0)
    assert first.mean_ms == pytest.approx(1000 * 8 / 90) and first.payments == 1350
    assert first.load_average == 2.5 and levels[2].load_average is None


def test_the_table_has_one_row_per_level():
    text = format_load(load_levels(load_record(ROWS)))
    head, rule, *rows = text.splitlines()
    assert head.startswith("database") and head.split()[-2:] == ["load", "avg"]
    for column in ("workers", "users", "payments/s", "p50 ms", "mean ms", "p99 ms", "errors"):
        assert column in head
    assert set(rule) == {"-"} and len(rows) == 5
    assert rows[0].split() == ["sqlite", "1", "8", "90", "80", "89", "150", "0", "2.50"]
    assert rows[2].split()[-1] == "?"  # no load average recorded
    assert max(len(line) for line in text.splitlines()) <= 100


def test_the_figure_draws_rate_and_p99_against_users_one_line_per_configuration():
    figure = load_curves(load_levels(load_record(ROWS)))
    rate, tail = figure.axes
    labels = ["sqlite, 1 worker", "sqlite, 2 workers", "postgresql, 1 worker"]
    assert [line.get_label() for line in rate.lines] == labels
    assert [line.get_label() for line in tail.lines] == labels
    assert [text.get_text() for text in rate.get_legend().get_texts()] == labels
    sqlite_rate, sqlite_tail = rate.lines[0], tail.lines[0]
    assert list(sqlite_rate.get_xdata()) == [1, 8]  # sorted by users
    assert list(sqlite_rate.get_ydata()) == [75.0, 90.0]
    assert list(sqlite_tail.get_ydata()) == [40.0, 150.0]
    assert rate.lines[0].get_color() == rate.lines[1].get_color() != rate.lines[2].get_color()
    assert rate.lines[0].get_linestyle() != rate.lines[1].get_linestyle()
    assert rate.get_xscale() == tail.get_xscale() == tail.get_yscale() == "log"
    assert rate.get_yscale() == "linear" and rate.get_ylim()[0] == 0
    assert [tick.get_text() for tick in rate.get_xticklabels()] == ["1", "8", "32"]


def test_the_recorded_load_run_is_found_and_holds_both_databases():
    assert recorded_results(LOAD_RUN).exists()
    levels = load_levels(load_recorded(LOAD_RUN))
    assert {level.database for level in levels} == {"sqlite", "postgresql"}
    assert {level.workers for level in levels} == {1, 2}
    assert all(level.payments > 0 and level.load_average is not None for level in levels)
