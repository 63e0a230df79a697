"""Reference solutions for notebook 08's exercises."""

import statistics

max_payments_per_second = 4000 // 4


def median_and_spread(rates):
    median = statistics.median(rates)
    q1, _, q3 = statistics.quantiles(rates, n=4)
    return median, (q3 - q1) / median


def calibrate(fn, min_time, clock):
    loops = 1
    while True:
        start = clock()
        for _ in range(loops):
            fn()
        elapsed = clock() - start
        if elapsed >= min_time:
            return loops
        loops = loops * 10 if elapsed == 0 else max(loops + 1, int(loops * 1.2 * min_time / elapsed))


def gateway_micros(sign_per_s, verify_per_s):
    # the gateway verifies the request once and signs its answer and its notification
    return 2 * 1e6 / sign_per_s + 1e6 / verify_per_s
