"""An honest report: a noisy run is flagged, an impossible ratio is not stated, a breakdown must add up.

The records are hand-written (synthetic numbers): a run started at load 8.3 on 2 cores, cases that
spread by 30%, a wrapper "faster" than what it wraps, a flow "faster" than its own parts.
"""

import copy
import re
from pathlib import Path

import pytest

from paycore.bench.breakdown import Breakdown, Part
from paycore.bench.quality import assess, verdict
from paycore.bench.ratios import Ratio
from paycore.bench.report import render
from paycore.bench.runner import refresh
from paycore.bench.suites import payments, rsa_ops
from tests.bench.records import record, result


def row(name, rate, spread=0.01, group="g"):
    return {**result(name, rate, group=group).to_dict(), "rel_iqr": spread}


def ratio(key, value, *, at_most=None, possible_min=None, spread=0.02, headline="x takes {x} the time of y"):
    return Ratio(key, headline, value, "x", "y", kind="time", at_most=at_most, possible_min=possible_min,
                 spread=spread).to_dict()  # fmt: skip


def suite(results, ratios, name="rsa"):
    return {"name": name, "title": "t", "question": "", "results": results, "ratios": ratios, "skipped": []}


QUIET = suite(
    [row("a", 100.0), row("b", 90.0), row("c", 10.0)], [ratio("wrap", 1.02, at_most=1.05, possible_min=1)]
)


def loaded(start, end=None):
    run = record([QUIET])
    run["run"]["load_average_start"] = [start, start, start]
    run["run"]["load_average_end"] = [end or 1.0, 1.0, 1.0]
    return run


def test_a_quiet_run_is_not_flagged_and_its_targets_are_judged():
    quality = assess(record([QUIET]))
    assert not quality.noisy and quality.timed_cases == 3
    text = render(record([QUIET]), Path("out"))
    assert "quiet enough" in text and "too noisy" not in text
    assert "| x takes 1.02x the time of y | 1.02 | ±2% | <= 1.05 | pass |" in text


def test_a_run_started_at_load_8_on_2_cores_is_too_noisy_to_conclude():
    run = loaded(8.3)
    quality = assess(run)
    assert quality.noisy and "8.30 at the start" in quality.reasons[0] and "2 cores" in quality.reasons[0]
    text = render(run, Path("out"))
    assert "**A noisy run: too noisy to conclude.**" in text
    assert "| x takes 1.02x the time of y | 1.02 | ±2% | <= 1.05 | not judged |" in text
    assert "| pass |" not in text


def test_a_load_within_the_cores_is_not_noise():
    assert not assess(loaded(1.9, 2.0)).noisy
    assert assess(loaded(0.5, 2.6)).noisy  # the end counts too


def test_load_samples_taken_between_suites_count():
    run = record([QUIET])
    run["run"]["load_average_during"] = [{"suite": "rsa", "load": [3.1, 2.0, 1.0]}]
    assert "3.10 after suite rsa" in assess(run).reasons[0]


def test_wide_spreads_flag_a_run_but_key_generation_does_not():
    noisy = suite([row("a", 100.0, 0.3), row("b", 90.0, 0.25), row("c", 10.0)], [])
    assert "2 of 3 timed cases spread more than 10%" in assess(record([noisy])).reasons[0]
    searches = suite([row("k1", 1.0, 1.2, "keygen"), row("k2", 1.0, 0.9, "keygen"), row("a", 100.0)], [])
    assert not assess(record([searches])).noisy


def test_an_impossible_ratio_is_not_stated_even_in_a_quiet_run():
    wrapper = ratio("secure_sign", 0.93, at_most=1.05, possible_min=1.0,
                    headline="paycore.secure.sign takes {x} of cryptography")  # fmt: skip
    assert wrapper["impossible"] and wrapper["passed"] is None
    text = render(record([suite(QUIET["results"], [wrapper])]), Path("out"))
    assert "0.93x" not in text
    assert (
        "paycore.secure.sign takes ? of cryptography -- not stated: the run measured 0.93, "
        "which is impossible" in text
    )
    assert "| not stated |" in text and "too noisy to conclude" in text


def test_noise_within_the_margin_is_still_stated():
    assert not ratio("w", 0.99, possible_min=1.0)["impossible"]
    assert Ratio("w", "{x}", 1.02, "a", "b", possible_max=1.0).passed is None  # no target
    assert Ratio("w", "{x}", 1.55, "a", "b", possible_max=1.0, at_least=0.6).passed is None  # impossible


def test_a_target_inside_the_spread_is_unsure():
    quality = assess(record([QUIET]))
    assert verdict(ratio("w", 1.09, at_most=1.10, spread=0.03), quality) == "unsure"
    assert verdict(ratio("w", 1.09, at_most=1.10, spread=0.005), quality) == "pass"
    assert verdict(ratio("w", 1.35, at_most=1.10, spread=0.1), quality) == "**missed**"


def flow_results(direct, memory, asgi, http, sign=2500.0, decrypt=2400.0, commit=20000.0):
    rates = {
        "payment end to end, direct": direct,
        "payment end to end, direct, in-memory storage": memory,
        "payment end to end, ASGI": asgi,
        "payment end to end, HTTP loopback": http,
        payments.SIGN: sign,
        payments.DECRYPT: decrypt,
        payments.VERIFY: 30000.0,
        payments.ENCRYPT: 28000.0,
        payments.COMMIT: commit,
    }
    return [result(name, rate) for name, rate in rates.items()]


def test_the_payment_breakdown_adds_up_on_a_quiet_run():
    split = payments.breakdown(flow_results(direct=340, memory=500, asgi=110, http=95))
    assert split.consistent
    assert sum(part.ms for part in split.parts) == pytest.approx(split.total_ms) == pytest.approx(1000 / 95)
    text = "\n".join(split.lines())
    assert "| RSA private-key operations | 1.62 |" in text  # 3 x 0.4 ms + 0.417 ms
    assert "durable storage" in text and "the web layer" in text


def test_a_negative_remainder_is_refused_not_printed():
    # in-memory storage measured *slower* than SQLite files: noise, not a finding
    split = payments.breakdown(flow_results(direct=500, memory=340, asgi=110, http=95))
    assert not split.consistent
    lines = "\n".join(split.lines())
    assert lines.startswith("Not stated") and "too noisy to say where the time goes" in lines
    assert "|" not in lines  # no table of parts
    assert payments.plot(flow_results(direct=500, memory=340, asgi=110, http=95), Path("unused")) == []


def test_a_flow_faster_than_its_bound_or_http_faster_than_asgi_is_impossible():
    found = {r.key: r for r in payments.ratios(flow_results(direct=1200, memory=1300, asgi=110, http=130))}
    assert found["payments_direct_vs_bound"].impossible  # 1200/s against a bound of about 470/s
    assert found["asgi_vs_http"].impossible  # real TCP "faster" than no TCP
    assert not found["direct_vs_asgi"].impossible


def test_a_wrapper_faster_than_what_it_wraps_is_impossible():
    cases = [result("paycore.secure sign (PSS) @2048", 2700.0), result("cryptography PSS sign @2048", 2500.0)]
    found = {r.key: r for r in rsa_ops.ratios(cases)}
    assert found["secure_pss_sign_overhead"].impossible


def test_report_from_applies_todays_checks_to_an_old_record():
    old = suite(
        [row(r.name, r.median_ops) for r in flow_results(direct=500, memory=340, asgi=110, http=95)],
        [{"key": "memory_vs_durable", "sentence": "durable storage costs 0.68x", "value": 0.68, "target": "",
          "passed": None, "source": "issue 4", "note": "", "kind": "rate"}],
        name="payments",
    )  # fmt: skip
    fresh = refresh(record([copy.deepcopy(old)]), [payments])
    ratios = {r["key"]: r for r in fresh["suites"][0]["ratios"]}
    assert ratios["memory_vs_durable"]["impossible"] and "source" in ratios["memory_vs_durable"]
    assert ratios["memory_vs_durable"]["source"] == ""
    assert fresh["suites"][0]["breakdown"]["consistent"] is False
    text = render(fresh, Path("out"))
    assert "Not stated: the parts of one payment over HTTP" in text and "issue" not in text


def test_breakdown_round_trips_through_json():
    split = Breakdown("t", "whole", 3.0, (Part("a", 1.0, "x"), Part("b", 2.0, "y")))
    assert Breakdown.from_dict(split.to_dict()) == split


ROOT = Path(__file__).resolve().parents[2]
USER_FACING = [
    *sorted((ROOT / "paycore" / "bench").rglob("*.py")),
    ROOT / "benchmarks" / "README.md",
    ROOT / "benchmarks" / "results" / "REPORT.md",
    ROOT / "notebooks" / "08_benchmarks.ipynb",
    ROOT / "paycore" / "exercises" / "nb08.py",
]


@pytest.mark.parametrize("path", USER_FACING, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_internal_issue_numbers_reach_users(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"(?i)\bissues? \d", text), path


def test_bench_list_says_no_issue(capsys):
    from paycore.cli import main

    assert main(["bench", "--list"]) == 0
    assert "issue" not in capsys.readouterr().out.lower()
