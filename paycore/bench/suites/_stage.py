"""The ``load`` suite's stage: a real ``paycore serve --workers N`` in its own process tree, on SQLite
files or a fresh PostgreSQL database, optionally with a history of payments already stored.

The history is written straight into both parties' tables before the server starts (paying 100,000
times through the API would take longer than the whole benchmark): for each past payment, what the
flow itself leaves behind -- the order, the payment, its transfer and two ledger entries, its
idempotency record with the stored answer, its delivered notification, the merchant's processed
event -- with the ledger still balanced (the payer is funded for exactly the history's total).
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BODY = b'{"payment_id":"pay_0","status":"SUCCEEDED","amount":{"value":1,"currency":"CNY"}}' + b" " * 400
"""About the size of a stored answer or notification body."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stage:
    """One server configuration: started on first use, stopped by :meth:`stop` (or at exit)."""

    def __init__(self, database_url: str | None, workers: int, stored: int = 0) -> None:
        self.admin_url, self.workers, self.stored = database_url, workers, stored
        self.process: subprocess.Popen | None = None
        self.database: str | None = None
        self.folder: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.merchant_port}"

    def start(self) -> None:
        if self.process is not None:
            return
        self.folder = Path(tempfile.mkdtemp(prefix="paycore-load-"))
        atexit.register(self.stop)
        data = self.folder / "data"
        if self.admin_url:
            self.database = _create_database(self.admin_url)
        if self.stored:
            seed_history(data, self.database, self.stored)
        self.merchant_port, gateway_port = free_port(), free_port()
        command = [
            sys.executable,
            *("-m", "paycore.cli", "serve", "--workers", str(self.workers), "--data-dir", str(data)),
            *("--merchant-port", str(self.merchant_port), "--gateway-port", str(gateway_port)),
            *(("--database", self.database) if self.database else ()),
        ]
        log = self.folder / "serve.log"
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 120
        while b"ready." not in log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"paycore serve did not start: {log.read_text()[-500:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None
        if self.database:
            _drop_database(self.admin_url, self.database)
            self.database = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _create_database(admin_url: str) -> str:
    import psycopg

    name = f"paycore_load_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _drop_database(admin_url: str, name_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name_url.rsplit('/', 1)[1]} WITH (FORCE)")


def history_rows(count: int, now: float) -> dict[str, list[tuple]]:
    """The rows ``count`` past payments of 0.01 CNY left behind, one a second up to ``now``."""
    payer, merchant, funding = "payer:history:CNY", "merchant:M100001:CNY", "external:funding:history"
    rows: dict[str, list[tuple]] = {name: [] for name in ("payments", "transfers", "entries", "idempotency")}
    rows.update(outbox=[], orders=[], events=[])
    rows["accounts"] = [(payer, "payer", "CNY", 0), (funding, "external", "CNY", -count)]
    rows["transfers"].append(("fund_history", "funding", payer, "CNY", count, now - count - 1))
    rows["entries"] += [("fund_history", funding, -count), ("fund_history", payer, count)]
    for number in range(count):
        at = now - count + number
        order_id, payment_id = f"ord_h{number:012d}", f"pay_h{number:020d}"
        trade = f"{order_id}-1"
        rows["payments"].append(
            (
                payment_id,
                "M100001",
                trade,
                "SUCCEEDED",
                "CNY",
                1,
                0,
                "card",
                "411111******1111",
                payer,
                None,
                "http://127.0.0.1/paycore/notify",
                int(at),
            )
        )
        rows["transfers"].append((payment_id, "payment", payment_id, "CNY", 1, at))
        rows["entries"] += [(payment_id, payer, -1), (payment_id, merchant, 1)]
        rows["idempotency"].append(("M100001", f"key-h{number:012d}", "0" * 64, "done", 200, BODY, at))
        rows["outbox"].append(
            (
                f"evt_h{number:020d}",
                "M100001",
                "http://127.0.0.1/paycore/notify",
                BODY,
                1,
                at,
                "delivered",
                "HTTP 200",
                at,
                at,
            )
        )
        rows["orders"].append(
            (
                order_id,
                "load-user",
                '[{"sku":"TEA-1"}]',
                "CNY",
                1,
                "PAID",
                int(at),
                int(at) + 900,
                1,
                trade,
                int(at),
                payment_id,
                "411111******1111",
                None,
                int(at),
                0,
                0,
            )
        )
        rows["events"].append((f"evt_h{number:020d}", "payment.succeeded", int(at)))
    return rows


COLUMNS = {
    "accounts": ("gateway", "accounts", "account_id, kind, currency, balance"),
    "transfers": ("gateway", "transfers", "transfer_id, kind, reference, currency, amount, created_at"),
    "entries": ("gateway", "entries", "transfer_id, account_id, amount"),
    "payments": (
        "gateway",
        "payments",
        "payment_id, merchant_id, out_trade_no, status, currency, amount, refunded, payer_type, "
        "payer_display, payer_account, failure_code, notify_url, created_at",
    ),
    "idempotency": (
        "gateway",
        "idempotency_keys",
        "scope, key, fingerprint, state, status, body, claimed_at",
    ),
    "outbox": (
        "gateway",
        "outbox",
        "event_id, merchant_id, url, body, attempts, next_attempt_at, state, last_result, created_at, "
        "delivered_at",
    ),
    "orders": (
        "merchant",
        "orders",
        "order_id, user_id, items, currency, amount, status, created_at, expires_at, attempts, out_trade_no, "
        "paying_since, payment_id, payer_display, failure_code, paid_at, refunded, refunds",
    ),
    "events": ("merchant", "processed_events", "event_id, type, received_at"),
}


def seed_history(data: Path, database: str | None, count: int) -> None:
    """Create both parties' tables and write ``count`` past payments into them (the merchant's account
    is opened here too; the server then registers the merchant and seeds the demo payers as usual)."""
    from paycore.payment.runtime import datadir
    from paycore.payment.runtime.world import open_stores

    data, _ = datadir.prepare(data)
    gateway, merchant = open_stores(data, database)
    rows = history_rows(count, time.time())
    rows["accounts"].append(("merchant:M100001:CNY", "merchant", "CNY", count))
    try:
        for key, (party, table, columns) in COLUMNS.items():
            store = gateway if party == "gateway" else merchant
            _bulk_insert(store.db, table, columns, rows[key], postgres=database is not None)
    finally:
        gateway.close()
        merchant.close()


def _bulk_insert(db, table: str, columns: str, rows: list[tuple], *, postgres: bool) -> None:
    if postgres:

        def copy(connection) -> None:
            with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
                for row in rows:
                    stream.write_row(row)

        db.run(copy, durable=False)
        return
    marks = ", ".join("?" * len(columns.split(",")))
    with db.transaction(durable=False) as connection:
        connection.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
