"""The benchmark harness, checked with a fake clock: statistics, calibration, file formats (not speed)."""

import csv
import json

import pytest

from paycore.bench.harness import Case, calibrate, machine_info, measure, summarize
from paycore.bench.runner import run_suite, save, suites


class FakeClock:
    """Each call of the measured function advances time by ``cost`` seconds."""

    def __init__(self, cost):
        self.now = 0.0
        self.cost = cost

    def __call__(self):
        return self.now

    def work(self):
        self.now += self.cost


def test_calibrate_reaches_min_time_with_few_loops():
    clock = FakeClock(0.001)
    loops = calibrate(clock.work, 0.2, clock)
    assert loops * 0.001 >= 0.2
    assert loops * 0.001 < 0.2 * 1.5  # does not overshoot wildly


def test_calibrate_keeps_one_loop_for_slow_operations():
    clock = FakeClock(2.0)
    assert calibrate(clock.work, 0.2, clock) == 1


def test_measure_reports_rates_from_the_clock():
    clock = FakeClock(0.01)
    result = measure(
        Case("op", "g", clock.work, {"bits": 8}, bytes_per_op=1000), min_time=0.1, repeats=5, clock=clock
    )
    assert result.median_ops == pytest.approx(100.0)
    assert result.median_seconds_per_op == pytest.approx(0.01)
    assert result.median_mb_per_s == pytest.approx(0.1)
    assert result.repeats == 5 and result.rel_iqr == pytest.approx(0.0, abs=1e-9)


def test_case_repeats_override_the_default():
    clock = FakeClock(0.5)
    assert measure(Case("op", "g", clock.work, repeats=7), repeats=3, clock=clock).repeats == 7


def test_summarize_statistics():
    summary = summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    assert summary["median"] == 3.0
    assert (summary["min"], summary["max"]) == (1.0, 100.0)
    assert summary["rel_iqr"] > 0
    with pytest.raises(ValueError):
        summarize([])


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError):
        calibrate(lambda: None, 0)
    with pytest.raises(ValueError):
        measure(Case("op", "g", lambda: None), repeats=0)


def test_machine_info_records_what_reproduction_needs():
    info = machine_info()
    for key in (
        "date",
        "platform",
        "cpu",
        "cores",
        "python",
        "openssl_in_cryptography",
        "packages",
        "command",
    ):
        assert key in info
    assert "OpenSSL" in info["openssl_in_cryptography"]
    assert info["packages"]["cryptography"]


class TinySuite:
    NAME = "tiny"

    @staticmethod
    def cases(quick=False):
        return [Case("a", "g", lambda: sum(range(10))), Case("b", "g", lambda: sum(range(100)))]

    @staticmethod
    def ratios(results):
        return [("a / b", results[0].median_ops / results[1].median_ops, "none")]


def test_run_suite_writes_json_and_csv(tmp_path):
    record = run_suite(TinySuite, quick=True, out=tmp_path, echo=lambda *a, **k: None)
    data = json.loads((tmp_path / "tiny.json").read_text())
    assert data == json.loads(json.dumps(record))
    assert [r["name"] for r in data["results"]] == ["a", "b"]
    assert data["ratios"][0]["value"] > 1  # summing 10 numbers beats summing 100
    rows = list(csv.DictReader((tmp_path / "tiny.csv").open()))
    assert [row["name"] for row in rows] == ["a", "b"]
    assert float(rows[0]["median_ops"]) > 0


def test_save_creates_the_directory(tmp_path):
    save({"suite": "x", "results": []}, tmp_path / "deep" / "dir")
    assert (tmp_path / "deep" / "dir" / "x.json").exists()


def test_known_suites():
    assert "textbook" in suites()
