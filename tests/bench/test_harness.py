"""The measuring harness, checked with a fake clock: statistics, calibration, loops, rates (never speed)."""

import gc
import json
import statistics

import pytest

from paycore.bench.harness import Case, Result, calibrate, measure, measure_together, summarize


class FakeClock:
    """Each call of ``work`` advances time by ``cost`` seconds; counts the calls."""

    def __init__(self, cost):
        self.now = 0.0
        self.cost = cost
        self.calls = 0

    def __call__(self):
        return self.now

    def work(self):
        self.calls += 1
        self.now += self.cost


class SteppedClock(FakeClock):
    """The cost changes from call to call, cycling through ``costs``."""

    def __init__(self, costs):
        super().__init__(costs[0])
        self.costs = costs

    def work(self):
        self.cost = self.costs[self.calls % len(self.costs)]
        super().work()


def test_calibrate_reaches_min_time_without_overshooting():
    clock = FakeClock(0.001)
    loops = calibrate(clock.work, 0.2, clock)
    assert 0.2 <= loops * 0.001 < 0.2 * 1.5


def test_calibrate_keeps_one_loop_for_slow_operations():
    clock = FakeClock(2.0)
    assert calibrate(clock.work, 0.2, clock) == 1
    assert clock.calls == 1


class CoarseClock(FakeClock):
    """A clock too coarse to see the first 50 calls (each later call shows as 0.01 s)."""

    def work(self):
        self.calls += 1
        if self.calls > 50:
            self.now += 0.01


def test_calibrate_grows_tenfold_while_the_clock_shows_nothing():
    clock = CoarseClock(0.0)
    # 1 loop: 0 s; 10 loops: 0 s; 100 loops (calls 12..111): 61 visible calls = 0.61 s >= 0.5
    assert calibrate(clock.work, 0.5, clock) == 100


def test_measure_reports_rates_from_the_clock():
    clock = FakeClock(0.01)
    case = Case("op", "g", clock.work, {"bits": 8}, bytes_per_op=1000)
    result = measure(case, min_time=0.1, repeats=5, clock=clock)
    assert result.median_ops == pytest.approx(100.0)
    assert result.median_seconds_per_op == pytest.approx(0.01)
    assert result.median_mb_per_s == pytest.approx(0.1)  # 100 ops/s x 1000 bytes = 10^5 B/s
    assert result.repeats == 5 and len(result.samples) == 5
    assert result.rel_iqr == pytest.approx(0.0, abs=1e-9)
    assert result.loops * 0.01 >= 0.1


def test_measure_takes_the_median_of_the_repeats():
    # loops = 1 (fixed); the repeats cost 1, 2, 4, 2, 2 seconds -> rates 1, .5, .25, .5, .5
    clock = SteppedClock([1.0, 2.0, 4.0, 2.0, 2.0])
    result = measure(Case("op", "g", clock.work, loops=1), repeats=5, clock=clock)
    assert result.samples == [1.0, 0.5, 0.25, 0.5, 0.5]
    assert result.median_ops == 0.5
    assert (result.min_ops, result.max_ops) == (0.25, 1.0)


def test_fixed_loops_skip_calibration_and_warm_up():
    clock = FakeClock(3.0)
    result = measure(Case("keygen", "g", clock.work, loops=1, repeats=4), repeats=9, clock=clock)
    assert clock.calls == 4  # exactly one call per repeat, none wasted on warm-up
    assert result.loops == 1 and result.repeats == 4
    assert result.median_ops == pytest.approx(1 / 3)


def test_case_min_time_overrides_the_run_default():
    clock = FakeClock(0.01)
    long = measure(Case("payment", "g", clock.work, min_time=0.5), min_time=0.04, repeats=3, clock=clock)
    short = measure(Case("op", "g", clock.work), min_time=0.04, repeats=3, clock=clock)
    assert long.loops * 0.01 >= 0.5 and short.loops * 0.01 < 0.5


def test_case_repeats_override_the_run_default():
    clock = FakeClock(0.5)
    assert measure(Case("op", "g", clock.work, repeats=7), repeats=3, clock=clock).repeats == 7


def test_self_timed_case_reports_the_rates_it_returns():
    rates = iter([4000.0, 4100.0, 3900.0])
    result = measure(Case("openssl", "g", lambda: next(rates), reports_rate=True), repeats=3)
    assert result.loops is None
    assert result.samples == [4000.0, 4100.0, 3900.0]
    assert result.median_ops == 4000.0


def test_a_non_positive_self_reported_rate_is_an_error():
    with pytest.raises(ValueError, match="non-positive"):
        measure(Case("broken", "g", lambda: 0.0, reports_rate=True), repeats=2)


def test_garbage_collector_is_paused_while_timing_and_restored():
    seen = []
    clock = FakeClock(0.1)

    def work():
        seen.append(gc.isenabled())
        clock.work()

    assert gc.isenabled()
    measure(Case("op", "g", work), min_time=0.1, repeats=2, clock=clock)
    assert seen and not any(seen)
    assert gc.isenabled()


def test_summarize_matches_the_statistics_module():
    rates = [1.0, 2.0, 3.0, 4.0, 100.0]
    summary = summarize(rates)
    q1, _, q3 = statistics.quantiles(rates, n=4)
    assert summary["median"] == 3.0
    assert (summary["min"], summary["max"]) == (1.0, 100.0)
    assert summary["rel_iqr"] == pytest.approx((q3 - q1) / 3.0)


def test_summarize_uses_the_range_for_few_samples():
    assert summarize([90.0, 110.0])["rel_iqr"] == pytest.approx(0.2)
    with pytest.raises(ValueError):
        summarize([])


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="min_time"):
        calibrate(lambda: None, 0)
    with pytest.raises(ValueError, match="repeats"):
        measure(Case("op", "g", lambda: None), repeats=0)


def test_result_survives_a_json_round_trip():
    clock = FakeClock(0.02)
    result = measure(Case("op", "g", clock.work, {"bits": 2048}, bytes_per_op=64), repeats=3, clock=clock)
    record = json.loads(json.dumps(result.to_dict()))
    assert record["median_mb_per_s"] == pytest.approx(50 * 64 / 1e6)
    assert record["median_seconds_per_op"] == pytest.approx(0.02)
    assert Result.from_dict(record) == result


def test_cases_measured_together_take_turns():
    clock = FakeClock(0.0)
    order = []

    def op(name, cost):
        def run():
            order.append(name)
            clock.now += cost

        return run

    a = Case("a", "g", op("a", 1.0), loops=1, repeats=3)
    b = Case("b", "g", op("b", 2.0), loops=1, repeats=2)
    first, second = measure_together([a, b], repeats=9, clock=clock)
    assert order == ["a", "b", "a", "b", "a"]  # one repeat of each per round, each its own count
    assert (first.samples, second.samples) == ([1.0, 1.0, 1.0], [0.5, 0.5])
    assert (first.repeats, second.repeats) == (3, 2)


def test_a_burst_of_load_hits_cases_measured_together_alike():
    # The machine slows down 2x during the second round: both cases see it, so their ratio holds.
    clock = FakeClock(0.0)
    calls = {"n": 0}

    def op(cost):
        def run():
            calls["n"] += 1
            slow = 2.0 if 3 <= calls["n"] <= 4 else 1.0
            clock.now += cost * slow

        return run

    fast, slow = measure_together(
        [Case("fast", "g", op(1.0), loops=1), Case("slow", "g", op(3.0), loops=1)], repeats=3, clock=clock
    )
    assert [f / s for f, s in zip(fast.samples, slow.samples, strict=True)] == pytest.approx([3.0, 3.0, 3.0])


def test_measure_together_needs_cases():
    with pytest.raises(ValueError):
        measure_together([], repeats=3)
