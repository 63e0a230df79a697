"""`paycore serve` fails loudly and stops cleanly, and keeps its data directory owner-only.

Before, a part of serve could die (the notifier thread, on a bad URL) while the process carried
on, or exited 0, so a supervisor saw nothing wrong. Now a part that dies is logged with its reason
and serve exits 1; Ctrl-C is a normal stop with status 0.
"""

import _thread
import argparse
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

import httpx
import pytest

from paycore import secure
from paycore.tools import serve
from tests.payment.hardening_helpers import free_port, pinned_keygen

SECRETS = (
    "merchant.private.pem",
    "gateway-signing.private.pem",
    "gateway-encryption.private.pem",
    "gateway-token.key",
    "merchant-admin.token",
)
PUBLIC = ("merchant.public.pem", "gateway-signing.public.pem", "gateway-encryption.public.pem")


def serve_args(data) -> argparse.Namespace:
    return argparse.Namespace(
        host="127.0.0.1",
        merchant_port=free_port(),
        gateway_port=free_port(),
        data_dir=str(data),
        deliver_every=0.1,
        database=None,
        workers=None,
    )


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def watchdog():
    """Press Ctrl-C for the test if serve.run has not returned after 60 s (a broken guard then fails).

    Ctrl-C must mean KeyboardInterrupt here, whatever an earlier test or library did to SIGINT's handler.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(60, _thread.interrupt_main)
    timer.start()
    yield
    timer.cancel()
    signal.signal(signal.SIGINT, previous)


# -- 3. a part that dies stops the process with status 1; Ctrl-C is status 0 ---------------------------------
def test_serve_exits_1_and_says_why_when_its_notifier_dies(tmp_path, monkeypatch, capsys, watchdog):
    def broken_notifier(notifier, stop, every, stores=()):
        stop.wait(0.5)
        raise RuntimeError("the outbox table vanished")

    monkeypatch.setattr(serve, "_deliver_forever", broken_notifier)
    args = serve_args(tmp_path / "data")
    with pinned_keygen(monkeypatch):
        status = serve.run(args)
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("paycore: error:") and err.rstrip().endswith("stopping")
    assert "notifier failed: RuntimeError: the outbox table vanished" in err
    assert port_is_free(args.merchant_port) and port_is_free(args.gateway_port)  # both servers were stopped


def test_serve_exits_1_when_a_server_stops_on_its_own(tmp_path, monkeypatch, capsys, watchdog):
    real_start = serve.start

    def start_then_lose_the_gateway(*args, **kwargs):
        running = real_start(*args, **kwargs)

        def lose_gateway():
            running.wait_until_ready()
            running.servers[1].should_exit = True  # uvicorn returns as if it had been told to stop

        threading.Thread(target=lose_gateway, daemon=True).start()
        return running

    monkeypatch.setattr(serve, "start", start_then_lose_the_gateway)
    with pinned_keygen(monkeypatch):
        status = serve.run(serve_args(tmp_path / "data"))
    err = capsys.readouterr().err
    assert status == 1 and "paycore: error: gateway server stopped; stopping" in err


def test_ctrl_c_is_a_normal_stop_with_status_0(tmp_path, monkeypatch, capsys, watchdog):
    real_wait = serve.Servers.wait_until_ready

    def ready_then_ctrl_c(self, timeout=20.0):
        real_wait(self, timeout)
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()  # a real Ctrl-C

    monkeypatch.setattr(serve.Servers, "wait_until_ready", ready_then_ctrl_c)
    args = serve_args(tmp_path / "data")
    with pinned_keygen(monkeypatch):
        status = serve.run(args)
    captured = capsys.readouterr()
    assert status == 0 and "stopping" in captured.out and "paycore: error" not in captured.err
    assert port_is_free(args.merchant_port) and port_is_free(args.gateway_port)


# -- 3, 4 and 11 in a real process: umask 000, SIGINT, both gateway keys -----------------------------------
def ctrl_c_as_in_a_terminal() -> None:
    """In the child, before exec: umask 000, and SIGINT's default action.

    A process started in the background by a shell without job control (``cmd &`` in a script, as CI
    may be) inherits SIGINT *ignored*, and Python then leaves Ctrl-C ignored, as it should; the
    test plays a user at a terminal, so the child starts as a foreground program would.
    """
    os.umask(0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_a_real_serve_under_umask_000_keeps_everything_owner_only_and_stops_on_sigint(tmp_path):
    """`paycore serve` as a subprocess, started with umask 000 (every file would be world-writable)."""
    data = tmp_path / "data"
    merchant_port, gateway_port = free_port(), free_port()
    command = [
        sys.executable,
        "-m",
        "paycore.cli",
        "serve",
        "--merchant-port",
        str(merchant_port),
        "--gateway-port",
        str(gateway_port),
        "--data-dir",
        str(data),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
    killer = threading.Timer(120, process.kill)  # a hung server fails the test instead of hanging it
    killer.start()
    try:
        deadline = time.monotonic() + 60
        lines = []
        while not any(line.startswith("ready.") for line in lines):
            assert time.monotonic() < deadline and process.poll() is None, (lines, process.stderr.read())
            lines.append(process.stdout.readline())
        health = httpx.get(f"http://127.0.0.1:{gateway_port}/healthz", timeout=10).json()
        with httpx.Client(base_url=f"http://127.0.0.1:{merchant_port}", timeout=10) as client:
            order = client.post(
                "/orders",
                headers={"X-User-Id": "alice"},
                json={
                    "items": [{"sku": "T", "name": "Tea", "quantity": 1, "unit_price": 5}],
                    "currency": "CNY",
                },
            )
            assert order.status_code == 201  # the merchant's database has been written to (its WAL exists)
        modes = {path.name: stat.S_IMODE(path.lstat().st_mode) for path in data.iterdir()}
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        killer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0 and "stopping" in out and "Traceback" not in err
    # 4. owner-only, even though the process ran with umask 000
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    databases = [name for name in modes if ".sqlite3" in name]
    assert {"gateway.sqlite3", "merchant.sqlite3", "merchant.sqlite3-wal"} <= set(databases)
    owner_only = (*SECRETS, *databases)
    assert {name: modes[name] for name in owner_only} == dict.fromkeys(owner_only, 0o600)
    assert all(modes[name] & 0o022 == 0 for name in PUBLIC)  # public halves: readable, not writable
    # 11. two gateway key pairs on disk, both published at /healthz, and no single "gateway" key
    signing, encryption = (
        secure.key_id(secure.load_public_key_pem((data / f"gateway-{use}.public.pem").read_bytes()))
        for use in ("signing", "encryption")
    )
    assert signing != encryption
    assert (health["signing_key_id"], health["encryption_key_id"]) == (signing, encryption)
    assert health["key_id"] == signing
    assert not (data / "gateway.private.pem").exists()
    private = {name: (data / name).read_bytes() for name in SECRETS if name.endswith(".pem")}
    assert len(set(private.values())) == 3  # three different private keys
