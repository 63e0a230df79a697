"""The ``load`` suite: its percentiles, its ratios and targets, the stored history it writes, and one
real (short) run of its load generator against ``paycore serve``."""

import json
import socket
import statistics
import subprocess
import sys

import pytest

from paycore.bench.loadgen import percentile
from paycore.bench.suites import loadtest as load
from paycore.bench.suites._stage import history_rows, seed_history
from tests.bench.records import result


def test_percentiles_agree_with_the_standard_library():
    values = [float(value) for value in (7, 3, 9, 12, 5, 5, 40, 8, 6, 11, 2)]
    expected = statistics.quantiles(values, n=100, method="inclusive")
    for share in (0.5, 0.95, 0.99):
        assert percentile(values, share) == pytest.approx(expected[int(share * 100) - 1])


def level(database, workers, users, rate, p50, p99, *, stored=0, growth=False, errors=0):
    params = {"database": database, "workers": workers, "users": users, "stored": stored}
    params.update(
        p50_ms=p50, p95_ms=p99, p99_ms=p99, errors=errors, payments=int(rate * 10), load_average=[1.0]
    )
    if growth:
        params["growth"] = True
    return result(
        load.case_name(database, workers, users, stored) + (" (g)" if growth else ""), rate, params=params
    )


def test_the_ratios_say_what_workers_users_and_history_do():
    results = [
        level("sqlite", 1, 1, 100.0, 9.0, 14.0),
        level("sqlite", 1, 32, 150.0, 200.0, 260.0),
        level("sqlite", 2, 32, 240.0, 120.0, 180.0),
        level("sqlite", 2, 32, 240.0, 120.0, 150.0, growth=True),
        level("sqlite", 2, 32, 204.0, 140.0, 180.0, stored=100_000, growth=True, errors=3),
    ]
    by_key = {ratio.key: ratio for ratio in load.ratios(results)}
    speedup = by_key["load_sqlite_2w32u_vs_1w1u"]
    assert speedup.value == pytest.approx(2.4) and speedup.passed
    tail = by_key["load_sqlite_tail"]
    assert tail.value == pytest.approx(180.0 / 9.0) and tail.passed is False
    assert by_key["load_sqlite_workers"].value == pytest.approx(1.6)
    growth = by_key["load_sqlite_stored_100000"]
    assert growth.value == pytest.approx(0.85) and growth.passed is False
    assert by_key["load_sqlite_stored_100000_p99"].value == pytest.approx(1.2)
    errors = by_key["load_errors"]
    assert errors.passed is False and "3 errors" in errors.note


def test_postgresql_levels_skip_with_advice_when_no_server_is_named(monkeypatch):
    monkeypatch.delenv("PAYCORE_BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("PAYCORE_DATABASE_URL", raising=False)
    skipped = [case for case in load.cases(quick=True) if not hasattr(case, "fn")]
    assert [case.name for case in skipped] == ["load on PostgreSQL"]
    assert "PAYCORE_BENCH_DATABASE_URL" in skipped[0].reason


def test_the_stored_history_balances_the_books_and_is_what_a_payment_leaves(tmp_path):
    from paycore.payment.gateway.ledger import check_invariants
    from paycore.payment.runtime.world import open_stores

    seed_history(tmp_path / "data", None, 500)
    gateway, merchant = open_stores(tmp_path / "data")
    try:
        assert check_invariants(gateway.ledger_report()) == {"CNY": 0}
        counts = {
            table: gateway.db.query_one(f"SELECT COUNT(*) FROM {table}")[0]
            for table in ("payments", "transfers", "entries", "idempotency_keys", "outbox")
        }
        assert counts == {
            "payments": 500,
            "transfers": 501,
            "entries": 1002,
            "idempotency_keys": 500,
            "outbox": 500,
        }
        assert merchant.db.query_one("SELECT COUNT(*) FROM orders WHERE status = 'PAID'")[0] == 500
        assert gateway.pending_messages() == []
    finally:
        gateway.close()
        merchant.close()
    rows = history_rows(3, now=1000.0)
    assert [row[-1] for row in rows["payments"]] == [997, 998, 999]  # one a second, up to now


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_the_load_generator_drives_a_real_server_and_counts_what_it_paid(tmp_path):
    from paycore.payment.runtime.world import open_stores
    from paycore.tools.serve import start

    running = start("127.0.0.1", free_port(), free_port(), tmp_path / "data", echo=lambda *a: None)
    running.wait_until_ready()
    try:
        done = subprocess.run(
            [
                *(sys.executable, "-m", "paycore.bench.loadgen", "--url", running.merchant_url),
                *("--users", "2", "--seconds", "1.5", "--warmup", "0.5"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        running.shutdown()
    assert summary["errors"] == 0 and summary["payments"] > 0
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] <= summary["max_ms"]
    assert summary["payments_per_second"] == pytest.approx(summary["payments"] / summary["seconds"], rel=1e-3)
    assert summary["loadgen_cpu_seconds"] > 0
    gateway, merchant = open_stores(tmp_path / "data")
    try:  # the window saw only part of the run: at least as many orders were paid as it counted
        paid = merchant.db.query_one("SELECT COUNT(*) FROM orders WHERE status = 'PAID'")[0]
        assert paid >= summary["payments"]
    finally:
        gateway.close()
        merchant.close()
