"""``paycore bench`` arguments and what each mode writes, with the synthetic suite (no real benchmark)."""

import json

import pytest

from paycore.bench import suites as registry
from paycore.cli import build_parser, main
from tests.bench.records import record


@pytest.fixture
def tiny_registered(monkeypatch):
    monkeypatch.setitem(registry.SUITES, "tiny", "tests.bench.tiny_suite")


def test_defaults_and_options():
    args = build_parser().parse_args(["bench"])
    assert (args.suite, args.quick, args.out, args.report_from, args.compare) == (
        "all",
        False,
        "bench-results",
        None,
        None,
    )
    args = build_parser().parse_args(
        ["bench", "--quick", "--suite", "rsa,envelope", "--out", "d", "--no-progress"]
    )
    assert (args.suite, args.quick, args.out, args.no_progress) == ("rsa,envelope", True, "d", True)


def test_list_names_every_suite(capsys):
    assert main(["bench", "--list"]) == 0
    out = capsys.readouterr().out
    for name in registry.names():
        assert name in out


def test_unknown_or_empty_suite_is_a_clear_error(capsys):
    assert main(["bench", "--suite", "rsa,nope"]) == 2
    assert "unknown suite 'nope'" in capsys.readouterr().err
    assert main(["bench", "--suite", ","]) == 2
    assert "--suite needs a suite name" in capsys.readouterr().err


def test_a_quick_run_writes_every_file(tiny_registered, tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["bench", "--suite", "tiny", "--quick", "--out", str(out), "--no-progress"]) == 0
    assert {p.name for p in out.iterdir()} == {"results.json", "results.csv", "REPORT.md", "plots"}
    saved = json.loads((out / "results.json").read_text())
    assert saved["mode"] == "quick" and [s["name"] for s in saved["suites"]] == ["tiny"]
    assert saved["machine"]["command"] == f"paycore bench --suite tiny --quick --out {out}"
    assert "quick run took" in capsys.readouterr().out


def test_report_from_redraws_without_measuring(tiny_registered, tmp_path, capsys):
    source = tmp_path / "old" / "results.json"
    source.parent.mkdir()
    entry = {
        "name": "tiny",
        "title": "a synthetic suite for tests",
        "question": "",
        "results": [
            {"name": "sum 10", "group": "sum", "params": {"n": 10, "series": "sum"}, "loops": 5, "repeats": 3,
             "median_ops": 7.0, "min_ops": 6.0, "max_ops": 8.0, "rel_iqr": 0.1, "samples": [6.0, 7.0, 8.0],
             "bytes_per_op": None, "median_mb_per_s": None},
        ],
        "ratios": [],
        "skipped": [],
    }  # fmt: skip
    source.write_text(json.dumps(record([entry])))
    out = tmp_path / "new"
    assert main(["bench", "--report-from", str(source), "--out", str(out)]) == 0
    assert (out / "plots" / "tiny.png").exists()
    report = (out / "REPORT.md").read_text()
    assert "| sum 10 | 7.0 |" in report  # numbers come from the file, nothing was re-measured


def test_compare_prints_agreement(tmp_path, capsys):
    def one(rate):
        path = tmp_path / f"{rate}.json"
        path.write_text(json.dumps(record([{"name": "s", "results": [{"name": "a", "median_ops": rate}]}])))
        return str(path)

    assert main(["bench", "--compare", one(100.0), one(104.0)]) == 0
    assert "1 of 1 cases within 5%" in capsys.readouterr().out
