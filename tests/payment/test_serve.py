"""`paycore serve` for real: two uvicorn servers on loopback, a payment over TCP, its notification."""

import socket
import time

import httpx
import pytest

from paycore.tools.serve import start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    running = start(
        "127.0.0.1", free_port(), free_port(), tmp_path / "data", deliver_every=0.1, echo=lambda *a: None
    )
    running.wait_until_ready()
    yield running, tmp_path / "data"
    running.shutdown()


def test_a_payment_over_real_http_and_its_notification(served):
    running, data = served
    with httpx.Client(base_url=running.merchant_url, timeout=10) as client:
        user = {"X-User-Id": "alice"}
        order = client.post(
            "/orders",
            headers=user,
            json={
                "items": [{"sku": "TEA-1", "name": "Tea", "quantity": 1, "unit_price": 1234}],
                "currency": "CNY",
            },
        ).json()
        paid = client.post(
            f"/orders/{order['order_id']}/pay",
            headers=user,
            json={
                "amount": {"value": 1234, "currency": "CNY"},
                "method": {"type": "wallet", "account": "W-alice"},
            },
        )
        assert paid.status_code == 200 and paid.json()["status"] == "PAID"
        assert client.get("/docs").status_code == 200
    with httpx.Client(base_url=running.gateway_url, timeout=10) as gateway:
        assert gateway.get("/healthz").json()["status"] == "ok"
        unsigned = gateway.post("/v1/payments", content=b"{}", headers={"Content-Type": "application/json"})
        assert unsigned.status_code == 401 and unsigned.json()["error"]["code"] == "MALFORMED_HEADERS"
    import sqlite3

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sqlite3.connect(data / "gateway.sqlite3") as connection:
            states = [row[0] for row in connection.execute("SELECT state FROM outbox")]
        if states == ["delivered"]:
            break
        time.sleep(0.1)
    assert states == ["delivered"]
    assert (data / "merchant.private.pem").stat().st_mode & 0o777 == 0o600


def test_a_second_start_reuses_keys_and_data(tmp_path):
    data = tmp_path / "data"
    first = start("127.0.0.1", free_port(), free_port(), data, echo=lambda *a: None)
    first.wait_until_ready()
    first.shutdown()
    key_before = (data / "gateway-signing.public.pem").read_bytes()
    lines = []
    second = start("127.0.0.1", free_port(), free_port(), data, echo=lines.append)
    try:
        second.wait_until_ready()
        assert (data / "gateway-signing.public.pem").read_bytes() == key_before
        assert "existing data" in lines[0]
    finally:
        second.shutdown()


def test_a_port_in_use_is_a_clear_error_at_once(tmp_path, capsys):
    import socket

    from paycore.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        status = main(
            [
                "serve",
                "--merchant-port",
                str(port),
                "--gateway-port",
                str(free_port()),
                "--data-dir",
                str(tmp_path / "data"),
            ]
        )
    assert status == 2 and time.monotonic() - started < 5
    assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err
