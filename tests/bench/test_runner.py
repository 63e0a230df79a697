"""The runner: one measurement per shared case, failures recorded, the record and the files it makes."""

import csv
import json
from types import SimpleNamespace

import pytest

from paycore.bench.harness import Case, Result
from paycore.bench.publish import publish
from paycore.bench.ratios import Lookup, present
from paycore.bench.results_io import load_json
from paycore.bench.runner import SETTINGS, run
from tests.bench import tiny_suite

RATES = {"sum 10": 1000.0, "sum 1000": 10.0, "shared": 50.0}


def fake_measure(calls, batches=None):
    """A measure_together() that returns fixed rates and records what it was asked to time."""

    def measure(cases, *, min_time, repeats):
        if batches is not None:
            batches.append([case.name for case in cases])
        found = []
        for case in cases:
            calls.append((case.name, min_time, repeats))
            rate = RATES[case.name]
            if rate is None:
                raise RuntimeError("broken peer")
            samples = [rate] * repeats
            found.append(
                Result(
                    case.name,
                    case.group,
                    dict(case.params),
                    1,
                    repeats,
                    rate,
                    rate,
                    rate,
                    0.0,
                    samples,
                    case.bytes_per_op,
                )
            )
        return found

    return measure


def suite(name, cases, ratios=lambda results: []):
    return SimpleNamespace(
        NAME=name, TITLE=f"suite {name}", QUESTION="", cases=lambda quick: cases, ratios=ratios
    )


def quiet(_line):
    pass


def test_record_holds_results_ratios_skips_machine_and_load():
    calls = []
    record = run([tiny_suite], quick=True, echo=quiet, progress=False, measure_fn=fake_measure(calls))
    assert record["mode"] == "quick" and record["settings"] == SETTINGS["quick"]
    assert [c[0] for c in calls] == ["sum 10", "sum 1000"]
    assert all((c[1], c[2]) == (SETTINGS["quick"]["min_time"], SETTINGS["quick"]["repeats"]) for c in calls)
    (entry,) = record["suites"]
    assert [r["name"] for r in entry["results"]] == ["sum 10", "sum 1000"]
    assert entry["results"][0]["measured_in"] == "tiny"
    assert entry["skipped"] == [{"name": "sum forever", "reason": "not on this machine"}]
    assert [r["key"] for r in entry["ratios"]] == [
        "small_vs_big"
    ]  # the ratio with a missing case is left out
    assert entry["ratios"][0]["value"] == pytest.approx(100.0)
    for key in ("load_average_start", "load_average_end", "started", "finished", "duration_seconds"):
        assert key in record["run"]
    assert record["machine"]["cpu"]
    json.dumps(record, allow_nan=False)  # JSON-ready as is


def test_full_mode_uses_the_full_settings():
    calls = []
    run([tiny_suite], quick=False, echo=quiet, progress=False, measure_fn=fake_measure(calls))
    assert {(c[1], c[2]) for c in calls} == {(SETTINGS["full"]["min_time"], SETTINGS["full"]["repeats"])}


def test_a_case_shared_by_two_suites_is_measured_once():
    calls = []
    shared = Case("shared", "g", lambda: None, {"bits": 1})
    twin = Case("shared", "g", lambda: None, {"bits": 1})  # same name and params, another object
    first, second = suite("one", [shared]), suite("two", [twin])
    record = run([first, second], quick=True, echo=quiet, progress=False, measure_fn=fake_measure(calls))
    assert calls == [("shared", SETTINGS["quick"]["min_time"], SETTINGS["quick"]["repeats"])]
    assert record["suites"][1]["results"][0]["measured_in"] == "one"
    assert record["suites"][1]["results"][0]["median_ops"] == 50.0


def test_same_name_with_other_params_is_measured_again():
    calls = []
    cases = [Case("shared", "g", lambda: None, {"bits": 1}), Case("shared", "g", lambda: None, {"bits": 2})]
    run([suite("one", cases)], quick=True, echo=quiet, progress=False, measure_fn=fake_measure(calls))
    assert len(calls) == 2


def test_cases_labelled_together_are_measured_as_one_batch():
    batches = []
    cases = [
        Case("a", "g", lambda: None, together="pair"),
        Case("sum 10", "g", lambda: None),
        Case("b", "g", lambda: None, together="pair"),
    ]
    rates = {"a": 1.0, "b": 2.0}
    with pytest.MonkeyPatch.context() as patch:
        for name, rate in rates.items():
            patch.setitem(RATES, name, rate)
        record = run(
            [suite("s", cases)], quick=True, echo=quiet, progress=False, measure_fn=fake_measure([], batches)
        )
    assert batches == [["a", "b"], ["sum 10"]]  # the pair where its first member stands
    assert [r["name"] for r in record["suites"][0]["results"]] == ["a", "b", "sum 10"]


def test_a_batch_is_reused_only_when_all_of_it_was_measured():
    batches = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(RATES, "a", 1.0)
        first = suite("one", [Case("a", "g", lambda: None, together="t")])
        second = suite(
            "two",
            [Case("a", "g", lambda: None, together="t"), Case("shared", "g", lambda: None, together="t")],
        )
        third = suite(
            "three",
            [Case("a", "g", lambda: None, together="t"), Case("shared", "g", lambda: None, together="t")],
        )
        record = run(
            [first, second, third],
            quick=True,
            echo=quiet,
            progress=False,
            measure_fn=fake_measure([], batches),
        )
    assert batches == [["a"], ["a", "shared"]]  # measured again with its partner, then reused whole
    assert [r["measured_in"] for r in record["suites"][2]["results"]] == ["two", "two"]


def test_a_failing_case_is_recorded_and_the_run_goes_on(monkeypatch):
    monkeypatch.setitem(RATES, "broken", None)
    cases = [Case("broken", "g", lambda: None), Case("sum 10", "g", lambda: None)]

    def ratios(results):
        look = Lookup(results)
        return present(look.ratio("r", "{x}", "sum 10", "broken"))

    record = run(
        [suite("s", cases, ratios)], quick=True, echo=quiet, progress=False, measure_fn=fake_measure([])
    )
    (entry,) = record["suites"]
    assert [r["name"] for r in entry["results"]] == ["sum 10"]
    assert entry["skipped"] == [{"name": "broken", "reason": "failed: RuntimeError: broken peer"}]
    assert entry["ratios"] == []


def test_the_runner_reports_progress_lines():
    lines = []
    run([tiny_suite], quick=True, echo=lines.append, progress=False, measure_fn=fake_measure([]))
    assert lines[0].startswith("== suite tiny (quick)")
    assert any("sum 10: 1,000.0 ops/s, 0.1 MB/s" in line for line in lines)
    assert any("skipped sum forever: not on this machine" in line for line in lines)
    assert any("Summing 10 numbers is 100.00x faster than summing 1000" in line for line in lines)


def test_publish_writes_json_csv_plots_and_report(tmp_path):
    record = run([tiny_suite], quick=True, echo=quiet, progress=False, measure_fn=fake_measure([]))
    written = publish(record, tmp_path, [tiny_suite])
    names = sorted(path.relative_to(tmp_path).as_posix() for path in written)
    assert names == ["REPORT.md", "plots/tiny.png", "results.csv", "results.json"]
    assert load_json(tmp_path / "results.json") == json.loads(json.dumps(record))
    rows = list(csv.DictReader((tmp_path / "results.csv").open(encoding="utf-8")))
    assert [(row["suite"], row["name"], float(row["median_ops"])) for row in rows] == [
        ("tiny", "sum 10", 1000.0),
        ("tiny", "sum 1000", 10.0),
    ]
    assert json.loads(rows[0]["params"]) == {"n": 10, "series": "sum"}
    assert float(rows[1]["median_mb_per_s"]) == pytest.approx(10.0 * 8000 / 1e6)
    assert (tmp_path / "plots" / "tiny.png").read_bytes()[:4] == b"\x89PNG"
    report = (tmp_path / "REPORT.md").read_text(encoding="utf-8")
    assert "![tiny](plots/tiny.png)" in report and "Summing 10 numbers is 100.00x faster" in report


def test_load_json_refuses_other_files(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="not a paycore bench results file"):
        load_json(path)


def test_a_real_tiny_run_measures_something():
    """The one real measurement in the tests: two sums, quick settings, well under a second."""
    record = run([tiny_suite], quick=True, echo=quiet, progress=False)
    results = record["suites"][0]["results"]
    assert all(r["median_ops"] > 0 and r["loops"] >= 1 and len(r["samples"]) == r["repeats"] for r in results)
