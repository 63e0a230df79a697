"""Comparing two runs case by case (the 5% repeatability check)."""

import pytest

from paycore.bench.compare import compare, format_comparison
from tests.bench.records import record


def _suite(name, **rates):
    return {"name": name, "results": [{"name": case, "median_ops": rate} for case, rate in rates.items()]}


def test_compare_matches_cases_by_suite_and_name():
    old = record([_suite("rsa", a=100.0, b=200.0, gone=5.0), _suite("env", a=10.0)])
    new = record([_suite("rsa", a=103.0, b=180.0, added=1.0), _suite("env", a=10.0)])
    result = compare(old, new)
    rows = {(suite, name): ratio for suite, name, _, _, ratio in result.rows}
    assert rows == {("rsa", "a"): pytest.approx(1.03), ("rsa", "b"): pytest.approx(0.9), ("env", "a"): 1.0}
    assert result.within == 2  # 3% and 0% are within 5%; -10% is not
    assert result.median_change == pytest.approx(0.03)


def test_format_flags_cases_outside_the_tolerance():
    text = format_comparison(
        compare(record([_suite("s", a=100.0, b=100.0)]), record([_suite("s", a=101.0, b=50.0)]))
    )
    lines = text.splitlines()
    assert lines[-1].startswith("1 of 2 cases within 5%")
    assert lines[-2].endswith("*") and " b " in lines[-2]
    assert not lines[1].endswith("*")
