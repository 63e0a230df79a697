"""Checkers for notebook 08 (benchmarks)."""

from __future__ import annotations

import statistics

from paycore.exercises.core import Wrong, exercise


@exercise(
    "08.1",
    "the most payments one core can sign",
    level=1,
    answer="max_payments_per_second",
    hint="Four private-key operations per payment, 4,000 such operations per second.",
)
def _bound(answer: object) -> None:
    if answer == 4000:
        raise Wrong("4,000 is the rate of single operations; each payment needs four of them")
    if answer != 1000:
        raise Wrong(
            f"max_payments_per_second = {answer!r}: divide the operations per second by the operations "
            "each payment needs"
        )


@exercise(
    "08.2",
    "median and spread of repeated measurements",
    level=2,
    answer="median_and_spread",
    hint="statistics.median; statistics.quantiles(rates, n=4) gives Q1, Q2, Q3; spread = (Q3 - Q1) / median.",
)
def _summary(answer: object) -> None:
    if not callable(answer):
        raise Wrong("median_and_spread should be a function of a list of rates returning (median, spread)")
    for rates in (
        [100.0, 102.0, 98.0, 101.0, 99.0],
        [10.0, 10.0, 10.0, 10.0],
        [50.0, 80.0, 100.0, 110.0, 400.0],
    ):
        median = statistics.median(rates)
        q1, _, q3 = statistics.quantiles(rates, n=4)
        expected = (median, (q3 - q1) / median)
        got = answer(list(rates))
        if not isinstance(got, tuple) or len(got) != 2:
            raise Wrong(f"return a pair (median, spread), got {got!r}")
        if abs(got[0] - expected[0]) > 1e-9:
            raise Wrong(
                f"for {rates} the median is {expected[0]}, you gave {got[0]} -- not the mean: one noisy "
                "repeat must not move it"
            )
        if abs(got[1] - expected[1]) > 1e-9:
            raise Wrong(
                f"for {rates} the relative interquartile range is {expected[1]:.4f}, you gave {got[1]}"
            )


class _Clock:
    def __init__(self, cost: float) -> None:
        self.now, self.cost, self.calls = 0.0, cost, 0

    def __call__(self) -> float:
        return self.now

    def work(self) -> None:
        self.now += self.cost
        self.calls += 1


@exercise(
    "08.3",
    "calibrate a benchmark loop",
    level=3,
    answer="calibrate",
    hint="Time 1 loop; while the run is shorter than min_time, grow the loop count (x10, or in proportion) "
    "and time again. Return the first count that lasts long enough.",
)
def _calibrate(answer: object) -> None:
    if not callable(answer):
        raise Wrong("calibrate should be a function of (fn, min_time, clock)")
    for cost, min_time in ((0.001, 0.2), (0.5, 0.2), (2e-6, 0.05)):
        clock = _Clock(cost)
        loops = answer(clock.work, min_time, clock)
        if not isinstance(loops, int) or loops < 1:
            raise Wrong(f"calibrate returned {loops!r}: a loop count is a positive int")
        if loops * cost < min_time * (1 - 1e-9):
            raise Wrong(
                f"with {cost} s a call and min_time {min_time}, {loops} loops last only {loops * cost:.4g} s"
            )
        if loops * cost > 10 * min_time and loops > 1:
            raise Wrong(
                f"{loops} loops last {loops * cost:.3g} s, far over min_time {min_time}: grow more gently"
            )
        if clock.calls > 50 * loops + 100:
            raise Wrong(
                f"calibration called the function {clock.calls} times for {loops} loops: time whole loops "
                "and grow the count, do not add one call at a time"
            )


@exercise(
    "08.4",
    "what the gateway's signatures cost per payment",
    level=2,
    answer="gateway_micros",
    hint="Per payment the gateway verifies the merchant's request once and signs twice (its answer and its "
    "notification). One operation at r per second takes 1e6 / r microseconds.",
)
def _gateway_cost(answer: object) -> None:
    if not callable(answer):
        raise Wrong("gateway_micros should be a function of (sign_per_s, verify_per_s)")
    for sign, verify in ((2500.0, 30000.0), (13000.0, 2500.0), (1000.0, 1000.0)):
        expected = 2 * 1e6 / sign + 1e6 / verify
        got = answer(sign, verify)
        if not isinstance(got, (int, float)):
            raise Wrong(f"return a number of microseconds, got {got!r}")
        if abs(got - (1e6 / sign + 2 * 1e6 / verify)) < 1e-6 and sign != verify:
            raise Wrong(
                "that is the merchant's cost (one signature, two verifications): the gateway signs twice"
            )
        if abs(got - expected) > 1e-6 * expected:
            raise Wrong(
                f"at {sign:,.0f} signatures and {verify:,.0f} verifications per second the gateway spends "
                f"{expected:,.1f} µs per payment, you gave {got!r}"
            )
