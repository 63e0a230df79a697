"""Ratios: which way round they divide, how targets are judged, and that missing cases drop out."""

import pytest

from paycore.bench.ratios import Lookup, Ratio, present
from tests.bench.records import result

RESULTS = [
    result("fast", 300.0),
    result("slow", 100.0),
    result("stream", 2000.0, bytes_per_op=1_000_000),
]


def test_rate_ratio_divides_faster_by_slower():
    ratio = Lookup(RESULTS).ratio("k", "fast is {x} faster", "fast", "slow")
    assert ratio.value == pytest.approx(3.0)
    assert ratio.sentence == "fast is 3.00x faster"
    assert (ratio.numerator, ratio.denominator, ratio.kind) == ("fast", "slow", "rate")


def test_time_ratio_divides_seconds_per_operation():
    ratio = Lookup(RESULTS).time_ratio("k", "slow takes {x} the time", "slow", "fast", at_most=1.05)
    assert ratio.value == pytest.approx(3.0)  # 10 ms against 3.33 ms
    assert ratio.kind == "time"
    assert ratio.passed is False
    assert ratio.target == "<= 1.05"


def test_throughput_is_megabytes_per_second():
    ratio = Lookup(RESULTS).throughput("k", "streams at {x}", "stream", at_least=1000)
    assert ratio.value == pytest.approx(2000.0)  # 2000 ops/s x 10^6 bytes = 2000 MB/s
    assert ratio.sentence == "streams at 2,000 MB/s"
    assert ratio.passed is True
    assert Lookup(RESULTS).throughput("k", "{x}", "fast") is None  # no bytes per operation


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        (3.0, {"at_least": 3.0}, True),
        (2.99, {"at_least": 3.0}, False),
        (0.33, {"at_most": 1 / 3}, True),
        (0.34, {"at_most": 1 / 3}, False),
        (1.0, {"at_least": 0.9, "at_most": 1.1}, True),
        (1.2, {"at_least": 0.9, "at_most": 1.1}, False),
        (5.0, {}, None),
    ],
)
def test_targets_are_judged_inclusively(value, target, expected):
    assert Ratio("k", "{x}", value, "a", "b", **target).passed is expected


def test_target_text():
    assert Ratio("k", "{x}", 1, "a", "b", at_least=0.9, at_most=1.1).target == ">= 0.9 and <= 1.1"
    assert Ratio("k", "{x}", 1, "a", "b", at_most=1 / 3).target == "<= 0.3333"
    assert Ratio("k", "{x}", 1, "a", "b", at_least=1000).target == ">= 1,000"
    assert Ratio("k", "{x}", 1, "a", "b").target == ""


def test_missing_cases_give_no_ratio():
    look = Lookup(RESULTS)
    assert look.ratio("k", "{x}", "fast", "absent") is None
    assert look.time_ratio("k", "{x}", "absent", "fast") is None
    assert "fast" in look and "absent" not in look
    assert present(None, look.ratio("k", "{x}", "fast", "slow"), None)[0].key == "k"


def test_to_dict_carries_the_verdict_and_sentence():
    record = Ratio("k", "CRT by {x}", 3.5, "a", "b", at_least=3, source="issue 2", note="why").to_dict()
    assert record["passed"] is True
    assert record["sentence"] == "CRT by 3.50x"
    assert record["target"] == ">= 3"
    assert (record["source"], record["note"]) == ("issue 2", "why")
