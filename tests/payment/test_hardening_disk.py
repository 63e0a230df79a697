"""Start-up faults and a full disk, on real file systems: one clear line, nothing half-written, no 500.

Before, a full disk at the first start left a 0-byte ``gateway-token.key`` that blocked every later
start, and a write that failed while serving came back as a 500. Running as root, ``chmod`` does
not stop writes, so the read-only and full file systems here are real: a small tmpfs, mounted for
the test (and remounted read-only), unmounted afterwards.
"""

import contextlib
import json
import os
import re
import shutil
import sqlite3

import pytest

from paycore import secure
from paycore.cli import main
from paycore.payment.gateway import ledger
from paycore.payment.gateway.sqlite import SQLiteGatewayStore
from paycore.payment.runtime.datadir import ADMIN_TOKEN_FILE, TOKEN_KEY_BYTES, TOKEN_KEY_FILE
from paycore.payment.runtime.demo import DEMO_CARDS
from paycore.tools import serve
from tests.payment.hardening_helpers import (
    USER,
    Live,
    fill,
    free_port,
    pinned_keygen,
    remount,
    request_nonce,
    tmpfs,
)

KEYS = ("merchant", "gateway-signing", "gateway-encryption", "wechatpay-platform", "alipay-platform")
PAGE = 4096
VISA_BALANCE = DEMO_CARDS["4111111111111111"][2]
UNFINISHED_CLAIMS = "SELECT COUNT(*) FROM idempotency_keys WHERE state = 'in_progress'"
SUCCEEDED = "SELECT out_trade_no, payment_id FROM payments WHERE status = 'SUCCEEDED'"
PAYMENT_ENTRIES = (
    "SELECT COUNT(*) FROM entries JOIN transfers USING (transfer_id) WHERE transfers.kind = 'payment'"
)


def refusal(data, monkeypatch, capsys) -> str:
    """`paycore serve` on ``data`` (in this process) must refuse with status 2 and one line; the line."""
    real_start = serve.start

    def must_refuse(*args, **kwargs):
        running = real_start(*args, **kwargs)
        running.shutdown()
        raise AssertionError(f"paycore serve started on {data}, which it must refuse")

    monkeypatch.setattr(serve, "start", must_refuse)
    with pinned_keygen(monkeypatch):
        status = main(["serve", "--merchant-port", str(free_port()), "--gateway-port", str(free_port()),
                       "--data-dir", str(data)])  # fmt: skip
    monkeypatch.setattr(serve, "start", real_start)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert status == 2 and len(lines) == 1 and lines[0].startswith("paycore: error: "), captured
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def start_and_stop(data, monkeypatch) -> None:
    """A start that must succeed (the data directory is usable again)."""
    with pinned_keygen(monkeypatch):
        running = serve.start("127.0.0.1", free_port(), free_port(), data, 0.1, echo=lambda *a: None)
    running.wait_until_ready()
    running.shutdown()


def assert_nothing_half_written(data, *, databases: bool = True) -> None:
    """Every file present is whole: keys load (and match their public half), tokens have their length,
    databases pass SQLite's integrity check, and no temporary file is left behind."""
    names = {path.name for path in data.iterdir()}
    assert not [name for name in names if name.endswith(".tmp")], names
    for name in KEYS:
        if f"{name}.private.pem" in names:
            key = secure.load_private_key_pem((data / f"{name}.private.pem").read_bytes())
            if f"{name}.public.pem" in names:
                public = secure.load_public_key_pem((data / f"{name}.public.pem").read_bytes())
                assert secure.key_id(public) == secure.key_id(key)
        else:
            assert f"{name}.public.pem" not in names  # a public half without its private key: torn
    if TOKEN_KEY_FILE in names:
        assert len((data / TOKEN_KEY_FILE).read_bytes()) == TOKEN_KEY_BYTES
    if ADMIN_TOKEN_FILE in names:
        assert re.fullmatch(rb"[A-Za-z0-9_-]{24,128}\n", (data / ADMIN_TOKEN_FILE).read_bytes())
    for database in ("gateway.sqlite3", "merchant.sqlite3") if databases else ():
        if database in names:
            with contextlib.closing(sqlite3.connect(data / database)) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def contents(data) -> dict:
    return {
        str(path.relative_to(data)): path.read_bytes() for path in sorted(data.rglob("*")) if path.is_file()
    }


# -- 5. start-up faults --------------------------------------------------------------------------------------
def test_a_data_dir_that_is_a_file_is_one_clear_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "paycore-data"
    path.write_bytes(b"not a directory")
    line = refusal(path, monkeypatch, capsys)
    assert f"--data-dir {path} is a file, not a directory" in line
    assert path.read_bytes() == b"not a directory"


def test_a_read_only_empty_data_dir_is_one_clear_line(tmp_path, monkeypatch, capsys):
    with tmpfs(tmp_path / "fs", "1m") as fs:
        remount(fs, "ro")
        assert "the file system is read-only" in refusal(fs, monkeypatch, capsys)
        assert os.listdir(fs) == []
        assert "the file system is read-only" in refusal(fs / "data", monkeypatch, capsys)  # not even mkdir


def test_a_read_only_data_dir_from_an_earlier_start_is_one_clear_line_and_stays_whole(
    tmp_path, monkeypatch, capsys
):
    earlier = tmp_path / "earlier"
    start_and_stop(earlier, monkeypatch)
    with tmpfs(tmp_path / "fs", "8m") as fs:
        shutil.copytree(
            earlier, fs, dirs_exist_ok=True
        )  # the data, whole (modes kept), on a file system of its own
        before = contents(fs)
        remount(fs, "ro")
        line = refusal(fs, monkeypatch, capsys)
        assert f"cannot use {fs}" in line and "read-only" in line
        assert contents(fs) == before
        assert_nothing_half_written(fs)


# free pages left when the first start begins: each number stops it at another step (probed on tmpfs)
STEPS = {
    0: "the write probe",
    1: "the merchant's public key",
    3: "the gateway's signing public key",
    6: "the card-token key",
    7: "the operator token",
    12: "the gateway's database (its shared-memory index)",
    80: "the merchant's database",
}


@pytest.mark.parametrize("free_pages", sorted(STEPS), ids=lambda pages: STEPS[pages])
def test_a_full_disk_at_the_first_start_is_one_line_leaves_nothing_torn_and_blocks_no_later_start(
    tmp_path, monkeypatch, capsys, free_pages
):
    with tmpfs(tmp_path / "fs", "4m") as fs:
        filler = fill(fs)
        os.truncate(filler, filler.stat().st_size - free_pages * PAGE)
        data = fs / "data"
        line = refusal(data, monkeypatch, capsys)
        assert f"cannot use {data}" in line or f"cannot use the databases in {data}" in line
        assert "disk" in line  # "the disk is full" (SQLite may say it failed to write)
        assert_nothing_half_written(data, databases=False)  # (SQLite needs a page free to check itself)
        filler.unlink()  # the operator frees space ...
        assert_nothing_half_written(data)
        start_and_stop(data, monkeypatch)  # ... and the next start works, with what was kept
        assert_nothing_half_written(data)
        expected = {f"{name}.{half}.pem" for name in KEYS for half in ("private", "public")}
        expected |= {TOKEN_KEY_FILE, ADMIN_TOKEN_FILE, "gateway.sqlite3", "merchant.sqlite3"}
        assert expected <= {path.name for path in data.iterdir()}


# -- 5. a full disk while serving ----------------------------------------------------------------------------
@pytest.fixture
def live_on_tmpfs(tmp_path):
    with tmpfs(tmp_path / "fs", "16m") as fs:
        running = Live.start(fs / "data")
        try:
            yield running, fs
        finally:
            running.close()


def test_a_full_disk_while_serving_is_503_json_and_the_books_balance_after(live_on_tmpfs):
    live, fs = live_on_tmpfs
    orders = [live.new_order(300) for _ in range(8)]
    answers = []
    try:
        # leave 0, 1, 2, ... pages free: each payment runs out of disk at another write
        for free_pages, order in enumerate(orders):
            filler = fill(fs)
            os.truncate(filler, filler.stat().st_size - free_pages * PAGE)
            answers.append(live.pay(order))
        body = live.payment_body(value=300)
        headers = live.signed_headers(body)
        fill(fs)
        at_gateway = live.to_gateway(body, headers)  # the gateway itself, asked directly, on a full disk
    finally:
        (fs / "filler.bin").unlink()
    for answer in [*answers, at_gateway]:
        assert answer.status_code != 500 and answer.headers["content-type"] == "application/json"
        assert "error" in answer.json() or answer.json()["status"] in ("PAID", "FAILED", "PAYING")
    assert answers[0].status_code == 503 and answers[0].json()["error"]["code"] == "STORAGE_UNAVAILABLE"
    assert (at_gateway.status_code, at_gateway.json()["error"]["code"]) == (503, "STORAGE_UNAVAILABLE")
    assert live.answer_is_signed(at_gateway, request_nonce(headers))

    # with space again: the same request (same bytes, same Idempotency-Key, signed afresh) goes through once
    retry = live.signed_headers(body, idempotency_key=dict(headers)["Idempotency-Key"])
    assert live.to_gateway(body, retry).status_code == 200
    with live.merchant() as client:
        token = (live.data / ADMIN_TOKEN_FILE).read_text().strip()
        assert client.post("/admin/reconcile", headers={"X-Admin-Token": token}).status_code == 200
        for order in orders:  # an order the full disk left unpaid can be paid now
            status = client.get(f"/orders/{order['order_id']}", headers=USER).json()["status"]
            if status in ("CREATED", "FAILED"):
                assert live.pay(order).json()["status"] == "PAID"
    # An order left PAYING (its request may or may not have reached the gateway's books) stays PAYING
    # until a signed answer settles it: reconciliation found no payment for it, and it calls a missing
    # payment FAILED only a window (plus clock skew) after the last attempt. It never guesses.

    # nothing was half-applied: the books balance, every order agrees with the gateway, each paid once
    store = SQLiteGatewayStore(live.data / "gateway.sqlite3")
    try:
        ledger.check_invariants(store.ledger_report())
        succeeded = dict(live.rows("gateway", SUCCEEDED))
        states = live.rows("merchant", "SELECT status, out_trade_no, payment_id FROM orders")
        assert {status for status, _, _ in states} <= {"PAID", "PAYING"}
        assert answers[0].json()["error"]["code"] == "STORAGE_UNAVAILABLE"  # this one is paid now
        paid = {trade: payment for status, trade, payment in states if status == "PAID"}
        waiting = [trade for status, trade, _ in states if status == "PAYING"]
        assert all(succeeded.get(trade) == payment for trade, payment in paid.items())
        assert not [trade for trade in waiting if trade in succeeded]  # no money moved behind its back
        assert set(succeeded) == set(paid) | {json.loads(body)["out_trade_no"]}  # + the direct one
        (visa,) = live.rows("gateway", "SELECT account_id FROM payer_methods WHERE display LIKE '411111%'")
        assert store.balance(visa[0]) == VISA_BALANCE - 300 * len(succeeded)
        assert live.rows("gateway", PAYMENT_ENTRIES) == [(2 * len(succeeded),)]
        assert live.rows("gateway", UNFINISHED_CLAIMS) == [(0,)]
    finally:
        store.close()
