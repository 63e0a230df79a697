"""`paycore serve --workers 2` for real: the merchant and two gateway workers as separate processes.

The reliability scenarios again, across processes, on SQLite files and on PostgreSQL: fifty pays
of one order, fifty copies of one signed request, two hundred payments on one card, notifications
while the merchant's endpoint is down (each delivered by one worker at a time), and kill -9 in the
middle of a stream of payments -- one worker, then the whole server -- with nothing lost after the
restart.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from paycore import secure
from paycore.payment import Money
from paycore.payment.clock import SystemClock
from paycore.payment.gateway.ledger import check_invariants
from paycore.payment.merchant.sqlite import SQLiteMerchantStore
from paycore.payment.runtime import datadir
from paycore.payment.runtime.demo import MERCHANT_ID
from paycore.payment.runtime.transport import HttpLink
from paycore.payment.runtime.world import open_stores, wire_merchant
from tests.payment.conftest import DATABASE_URL, NO_SERVER
from tests.payment.helpers import VISA

pytestmark = pytest.mark.slow
USER = {"X-User-Id": "alice"}
CARD = {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}
SMALL_CARD = {"type": "card", "number": "5555555555554444", "expiry": "06/29", "cvv": "321"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def fresh_database(backend: str):
    """``None`` for SQLite (the data directory's files), else the URL of a new PostgreSQL database."""
    if backend == "sqlite":
        yield None
        return
    if not DATABASE_URL:
        pytest.skip(NO_SERVER)
    import psycopg

    name = f"workers_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(DATABASE_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Served:
    """One `paycore serve --workers` process tree, started (and restarted) on the same data."""

    def __init__(self, data: Path, database: str | None, workers: int = 2) -> None:
        self.data, self.database, self.workers = data, database, workers
        self.merchant_port, self.gateway_port = free_port(), free_port()
        self.merchant_url = f"http://127.0.0.1:{self.merchant_port}"
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "paycore.cli",
            "serve",
            *("--workers", str(self.workers), "--data-dir", str(self.data), "--deliver-every", "0.2"),
            *("--merchant-port", str(self.merchant_port), "--gateway-port", str(self.gateway_port)),
            *(("--database", self.database) if self.database else ()),
        ]
        self.data.parent.mkdir(parents=True, exist_ok=True)
        self.log = self.data.parent / f"serve-{time.monotonic_ns()}.log"
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 120
        while b"ready." not in self.log.read_bytes():
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.1)

    def children(self) -> list[int]:
        """The pids of the merchant and gateway processes, oldest first (not the resource tracker)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == self.process.pid and b"spawn_main" in cmdline:
                found.append(int(entry.name))
        return found

    def kill_everything(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill_everything()

    def stores(self):
        return open_stores(self.data, self.database)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory):
    """A server shared by the scenarios that leave it running (each uses its own orders)."""
    with fresh_database(request.param) as database:
        running = Served(tmp_path_factory.mktemp("workers") / "data", database)
        running.start()
        yield running
        running.stop()


def create_order(client, price: int) -> str:
    reply = client.post(
        "/orders",
        headers=USER,
        json={"items": [{"sku": "T", "name": "Tea", "quantity": 1, "unit_price": price}], "currency": "CNY"},
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["order_id"]


def pay(order_id: str, price: int, url: str, card=CARD) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=60) as client:
        return client.post(
            f"/orders/{order_id}/pay",
            headers=USER,
            json={"amount": {"value": price, "currency": "CNY"}, "method": card},
        )


def books(running: Served, card=VISA) -> tuple[int, int, dict]:
    """The payer's and the merchant's balances and the ledger's totals, read by a process of our own."""
    from paycore.payment.gateway.issuer import Issuer
    from paycore.payment.gateway.ledger import merchant_account

    gateway_store, merchant_store = running.stores()
    try:
        issuer = Issuer(gateway_store, SystemClock(), datadir.card_token_key(running.data))
        payer = gateway_store.balance(issuer.account_of(card, "CNY"))
        merchant = gateway_store.balance(merchant_account(MERCHANT_ID, "CNY")) or 0
        return payer, merchant, check_invariants(gateway_store.ledger_report())
    finally:
        gateway_store.close()
        merchant_store.close()


def test_50_pays_of_one_order_debit_once(served):
    with httpx.Client(base_url=served.merchant_url, timeout=30) as client:
        order_id = create_order(client, 700)
    payer_before, merchant_before, _ = books(served)
    with ThreadPoolExecutor(max_workers=50) as pool:
        replies = list(pool.map(lambda _: pay(order_id, 700, served.merchant_url), range(50)))
    statuses = sorted(reply.status_code for reply in replies)
    assert statuses.count(200) == 1 and statuses.count(409) == 49, statuses
    payer, merchant, totals = books(served)
    assert (payer, merchant) == (payer_before - 700, merchant_before + 700)
    assert set(totals.values()) == {0}


def a_merchant_in_this_process(running: Served):
    """The demo merchant's signer and request builder, from the data directory (as an SDK would hold them)."""
    public = {
        name: secure.load_public_key_pem((running.data / f"{name}.public.pem").read_bytes())
        for name in ("gateway-signing", "gateway-encryption")
    }
    merchant, _ = wire_merchant(
        clock=SystemClock(),
        merchant_store=SQLiteMerchantStore(":memory:"),
        merchant_key=datadir.party_key(running.data, "merchant")[0],
        gateway_public_key=public["gateway-signing"],
        gateway_encryption_public_key=public["gateway-encryption"],
        link=HttpLink(),
        gateway_url=running.gateway_url,
        merchant_url=running.merchant_url,
    )
    return merchant


def signed(merchant, body: bytes, key: str) -> dict:
    headers = merchant.signer.sign_request("POST", "/v1/payments", body, timestamp=int(time.time()))
    return {"Content-Type": "application/json", "Idempotency-Key": key, **headers}


def post_to_gateway(url: str, headers: dict, body: bytes) -> httpx.Response:
    with httpx.Client(base_url=url, timeout=60) as client:  # a connection of its own: any worker may take it
        return client.post("/v1/payments", headers=headers, content=body)


def test_50_copies_of_one_signed_request_debit_once_whichever_worker_takes_them(served):
    merchant = a_merchant_in_this_process(served)
    body = merchant.build_payment_request(
        f"T-copies-{uuid.uuid4().hex[:8]}", Money(700, "CNY"), VISA, description="t"
    )
    payer_before, _, _ = books(served)
    copies = [signed(merchant, body, "copies-key-0001") for _ in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        replies = list(pool.map(lambda headers: post_to_gateway(served.gateway_url, headers, body), copies))
    succeeded = {reply.content for reply in replies if reply.status_code == 200}
    refused = {reply.json()["error"]["code"] for reply in replies if reply.status_code != 200}
    assert len(succeeded) == 1 and refused <= {"REQUEST_IN_PROGRESS"}, refused
    assert books(served)[0] == payer_before - 700
    answered = next(
        headers for headers, reply in zip(copies, replies, strict=True) if reply.status_code == 200
    )
    replayed = post_to_gateway(served.gateway_url, answered, body)  # the very same nonce, once more
    assert replayed.status_code == 401 and replayed.json()["error"]["code"] == "REPLAYED_NONCE"


def test_200_payments_on_one_card_never_overdraw_and_conserve_the_ledger(served):
    """The 5555 card holds 500.00 CNY: of 200 payments of 10.00, exactly 50 can succeed."""
    with httpx.Client(base_url=served.merchant_url, timeout=30) as client:
        orders = [create_order(client, 1000) for _ in range(200)]
    _, merchant_before, _ = books(served)
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(
            pool.map(lambda order_id: pay(order_id, 1000, served.merchant_url, SMALL_CARD), orders)
        )
    assert {reply.status_code for reply in replies} == {200}
    statuses = [reply.json()["status"] for reply in replies]
    assert (statuses.count("PAID"), statuses.count("FAILED")) == (50, 150)
    from paycore.payment import Card

    payer, merchant, totals = books(served, Card("5555555555554444", "06/29", "321"))
    assert (payer, merchant - merchant_before) == (0, 50 * 1000) and set(totals.values()) == {0}


class Receiver(http.server.ThreadingHTTPServer):
    """A merchant notify endpoint that records every delivery; ``up`` decides whether it answers 200."""

    def __init__(self) -> None:
        self.up, self.deliveries, self.lock = False, [], threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.deliveries.append((json.loads(body)["event_id"], receiver.up))
                self.send_response(200 if receiver.up else 503)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/paycore/notify"


def make_due_now(running: Served) -> None:
    """Skip the retry schedule's 15 s wait (as if it had passed): every waiting message is due at once."""
    gateway_store, merchant_store = running.stores()
    try:
        statement = "UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'"
        if running.database is None:
            with gateway_store.db.transaction() as connection:
                connection.execute(statement)
        else:
            gateway_store.db.run(lambda connection: connection.execute(statement))
    finally:
        gateway_store.close()
        merchant_store.close()


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_notifications_while_the_endpoint_is_down_are_retried_each_by_one_worker(served):
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        merchant = a_merchant_in_this_process(served)
        merchant.notify_url = receiver.url  # a notify URL on loopback, as registered for the demo merchant
        for number in range(20):
            body = merchant.build_payment_request(
                f"T-down-{uuid.uuid4().hex[:8]}-{number}", Money(100, "CNY"), VISA, description="t"
            )
            assert (
                post_to_gateway(
                    served.gateway_url, signed(merchant, body, uuid.uuid4().hex), body
                ).status_code
                == 200
            )
        wait_for(lambda: len(receiver.deliveries) >= 20)
        time.sleep(1.0)  # five more passes of each worker's notifier: none may try a leased message again
        down = [event for event, up in receiver.deliveries if not up]
        assert len(down) == len(set(down)) == 20
        receiver.up = True
        make_due_now(served)
        wait_for(lambda: sum(up for _, up in receiver.deliveries) >= 20)
        time.sleep(1.0)
        delivered = [event for event, up in receiver.deliveries if up]
        assert sorted(delivered) == sorted(set(down))  # each delivered once, none twice
    finally:
        receiver.shutdown()


def test_kill_9_mid_stream_then_restart_loses_nothing(tmp_path, request):
    for backend in ("sqlite", "postgresql"):
        if backend == "postgresql" and not DATABASE_URL:
            continue
        with fresh_database(backend) as database:
            running = Served(tmp_path / backend / "data", database)
            running.start()
            try:
                stream_with_kills(running)
            finally:
                running.stop()
    if not DATABASE_URL:
        pytest.skip(f"ran on SQLite only; {NO_SERVER}")


def stream_with_kills(running: Served) -> None:
    with httpx.Client(base_url=running.merchant_url, timeout=30) as client:
        orders = [create_order(client, 100) for _ in range(40)]
    _, merchant_before, _ = books(running)
    replies: list[int] = []

    def one(order_id: str) -> None:
        try:
            replies.append(pay(order_id, 100, running.merchant_url).status_code)
        except httpx.HTTPError:
            replies.append(0)  # the server was killed under this request

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(one, order_id) for order_id in orders[:20]]
        wait_for(lambda: len(replies) >= 5)
        os.kill(running.children()[-1], signal.SIGKILL)  # one gateway worker dies; the parent restarts it
        for future in futures:
            future.result()
        wait_for(lambda: len(running.children()) == 3)
        futures = [pool.submit(one, order_id) for order_id in orders[20:]]
        wait_for(lambda: len(replies) >= 27)
        running.kill_everything()  # now the whole server, mid-stream
        for future in futures:
            future.result()
    running.start()  # on the same data directory and database
    with httpx.Client(base_url=running.merchant_url, timeout=30) as client:
        token = (running.data / "merchant-admin.token").read_text().strip()
        assert client.post("/admin/reconcile", headers={"X-Admin-Token": token}).status_code == 200
        assert pay(create_order(client, 100), 100, running.merchant_url).json()["status"] == "PAID"
    check_nothing_lost(running, orders, merchant_before)


def check_nothing_lost(running: Served, orders: list[str], merchant_before: int) -> None:
    """After reconciliation every payment the gateway took has its order PAID, no order is PAID without
    one, nothing was charged twice, and the books balance."""
    gateway_store, merchant_store = running.stores()
    try:
        taken = {
            row[0].rsplit("-", 1)[0]
            for row in gateway_store.db.query("SELECT out_trade_no FROM payments WHERE status = 'SUCCEEDED'")
        }
        status = {order_id: merchant_store.order(order_id).status.value for order_id in orders}
        paid = {order_id for order_id, state in status.items() if state == "PAID"}
        assert paid == taken & set(orders)
        assert set(status.values()) <= {"PAID", "PAYING", "CREATED"}  # PAYING: never reached the gateway
        # the notifications the killed workers held wait for their leases to expire (60 s), then go out:
        assert gateway_store.parked_messages() == []  # (test_housekeeping shows a lease taken over)
        merchant = gateway_store.balance(f"merchant:{MERCHANT_ID}:CNY")
        assert merchant - merchant_before == 100 * (len(paid) + 1)  # (+1: the payment after the restart)
        assert set(check_invariants(gateway_store.ledger_report()).values()) == {0}
    finally:
        gateway_store.close()
        merchant_store.close()


# -- refusals and the one-process server on PostgreSQL (fast) -----------------------------------------
def test_several_workers_on_sqlite_over_a_network_file_system_are_refused(tmp_path, monkeypatch):
    from paycore.tools import workers

    plan = workers.Plan("127.0.0.1", 1, 2, str(tmp_path), None, 1.0, 2)
    monkeypatch.setattr(workers, "file_system_of", lambda path: "nfs4")
    with pytest.raises(ValueError, match="nfs4.*local disk|local disk.*nfs4"):
        workers.check_safe(plan)
    workers.check_safe(workers.Plan("127.0.0.1", 1, 2, str(tmp_path), "postgresql://db/x", 1.0, 2))  # fine
    workers.check_safe(workers.Plan("127.0.0.1", 1, 2, str(tmp_path), None, 1.0, 1))  # one worker: fine


def test_the_file_system_of_a_path_is_read_from_the_mount_table(tmp_path):
    from paycore.tools.workers import file_system_of

    mounts = Path("/proc/self/mounts").read_text().split()
    assert file_system_of(Path("/")) == mounts[mounts.index("/") + 1]
    assert file_system_of(tmp_path) is not None


def test_zero_workers_is_a_clear_error(tmp_path, capsys):
    from paycore.cli import main

    status = main(["serve", "--workers", "0", "--data-dir", str(tmp_path / "d"), "--merchant-port", "1"])
    assert status == 2 and "--workers must be at least 1" in capsys.readouterr().err


def test_one_process_serves_a_payment_with_its_tables_in_postgresql(tmp_path, capsys):
    from paycore.cli import main
    from paycore.tools.serve import start

    with fresh_database("postgresql") as database:
        running = start(
            "127.0.0.1", free_port(), free_port(), tmp_path / "data", echo=lambda *a: None, database=database
        )
        running.wait_until_ready()
        try:
            with httpx.Client(base_url=running.merchant_url, timeout=30) as client:
                assert pay(create_order(client, 250), 250, running.merchant_url).json()["status"] == "PAID"
        finally:
            running.shutdown()
        assert not (tmp_path / "data" / "gateway.sqlite3").exists()  # the tables are in PostgreSQL
        gateway_store, merchant_store = open_stores(tmp_path / "data", database)
        try:
            assert gateway_store.db.query_one("SELECT COUNT(*) FROM payments")[0] == 1
        finally:
            gateway_store.close()
            merchant_store.close()
        capsys.readouterr()
        assert main(["outbox", "--data-dir", str(tmp_path / "data"), "--database", database]) == 0
        assert "parked (dead letters): 0" in capsys.readouterr().out  # the operator's view, on PostgreSQL
