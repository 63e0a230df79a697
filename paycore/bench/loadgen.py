"""The ``load`` suite's load generator: locust as a library, headless, in a process of its own.

``python -m paycore.bench.loadgen --url http://127.0.0.1:8001 --users 32 --seconds 15`` runs ``users``
virtual users, each paying (:func:`paycore.bench.loadflow.pay_once`) with no pause in between, for
a warm-up and then ``seconds`` of measurement, and prints one JSON line: payments completed and
failed in the measured window, their exact latencies' percentiles, and the CPU this process used
meanwhile (so its share of the machine is on the record).

It runs apart from ``paycore bench`` because importing locust patches the standard library for
gevent (sockets, threads, time): harmless in a process made for it, wrong inside a benchmark runner
or a test session. Nothing here imports locust until :func:`main` runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0.99 for p99) of ``values``, interpolated between the nearest ranks.

    >>> percentile([10.0, 20.0, 30.0, 40.0], 0.5), percentile([5.0], 0.99)
    (25.0, 5.0)
    """
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(url: str, users: int, seconds: float, warmup: float) -> dict:
    """Drive ``users`` shoppers against the merchant at ``url``; what the measured window saw."""
    import gevent
    from locust import FastHttpUser, constant, events, task
    from locust.env import Environment

    from paycore.bench.loadflow import PAYMENT, pay_once

    window = {"open": False, "latencies": [], "errors": 0, "reasons": {}}

    def on_request(request_type, name, response_time, exception, **_):
        if name != PAYMENT or not window["open"]:
            return
        if exception is None:
            window["latencies"].append(response_time)
        else:
            window["errors"] += 1
            reason = str(exception)[:120]
            window["reasons"][reason] = window["reasons"].get(reason, 0) + 1

    class Shopper(FastHttpUser):
        host = url
        wait_time = constant(0)
        network_timeout = 60.0
        connection_timeout = 10.0

        @task
        def pay(self) -> None:
            pay_once(self.client, self.environment.events)

    environment = Environment(user_classes=[Shopper], events=events)
    environment.events.request.add_listener(on_request)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=max(users, 1))
    gevent.sleep(warmup)
    window["open"], cpu, started = True, _cpu_seconds(), time.perf_counter()
    gevent.sleep(seconds)
    window["open"], cpu, elapsed = False, _cpu_seconds() - cpu, time.perf_counter() - started
    runner.quit()
    latencies = window["latencies"]
    summary = {
        "users": users,
        "seconds": round(elapsed, 3),
        "payments": len(latencies),
        "errors": window["errors"],
        "error_reasons": window["reasons"],
        "payments_per_second": len(latencies) / elapsed,
        "loadgen_cpu_seconds": round(cpu, 3),
        "loadgen_cores": round(cpu / elapsed, 3),
    }
    if latencies:
        summary.update(
            {f"p{int(share * 100)}_ms": round(percentile(latencies, share), 3) for share in (0.5, 0.95, 0.99)}
        )
        summary["mean_ms"] = round(statistics.fmean(latencies), 3)
        summary["max_ms"] = round(max(latencies), 3)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the merchant's base URL (paycore serve)")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before the window opens")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.url, args.users, args.seconds, args.warmup)), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
