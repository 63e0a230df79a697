"""`paycore serve` for real: two uvicorn servers on loopback, a payment over TCP, its notification."""

import logging
import re
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


def test_one_log_line_per_request_with_no_body_query_or_card_data(served, caplog):
    running, _ = served
    caplog.set_level(logging.INFO, logger="paycore.requests")
    with httpx.Client(base_url=running.merchant_url, timeout=10) as client:
        user = {"X-User-Id": "alice"}
        order = client.post(
            "/orders?secret=query",
            headers=user,
            json={
                "items": [{"sku": "TEA-1", "name": "Tea", "quantity": 1, "unit_price": 990}],
                "currency": "CNY",
            },
        ).json()
        card = {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}
        paid = client.post(
            f"/orders/{order['order_id']}/pay", headers=user, json={"amount": order["amount"], "method": card}
        )
        assert paid.json()["status"] == "PAID"
        client.get("/no/such/page%1b[31m")  # the path decodes to a terminal escape
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any("/paycore/notify" in r.message for r in caplog.records):
        time.sleep(0.1)
    lines = [record.getMessage() for record in caplog.records if record.name == "paycore.requests"]
    assert re.fullmatch(r"merchant  POST /orders 201 \d+\.\d ms", lines[0])
    assert any(re.fullmatch(r"gateway   POST /v1/payments 200 \d+\.\d ms", line) for line in lines), lines
    assert any(
        re.fullmatch(rf"merchant  POST /orders/{order['order_id']}/pay 200 \d+\.\d ms", line)
        for line in lines
    )
    assert any(re.fullmatch(r"merchant  POST /paycore/notify 200 \d+\.\d ms", line) for line in lines), lines
    assert any(r"/no/such/page\x1b[31m 404" in line for line in lines), lines  # escaped, not a terminal code
    text = "\n".join(lines)
    for secret in ("4111111111111111", "411111", "secret=query", '"cvv"', "alice"):
        assert secret not in text


def test_one_port_for_both_parties_is_refused_at_once(tmp_path, capsys):
    from paycore.cli import main

    port = str(free_port())
    started = time.monotonic()
    status = main(
        ["serve", "--merchant-port", port, "--gateway-port", port, "--data-dir", str(tmp_path / "d")]
    )
    captured = capsys.readouterr()
    assert status == 2 and time.monotonic() - started < 5
    assert f"the merchant and the gateway cannot share port {port}" in captured.err
    assert captured.out == "" and not (tmp_path / "d").exists()  # no banner, nothing written


def test_the_banner_names_the_shop_and_where_the_operator_token_is_never_the_token(tmp_path):
    lines = []
    running = start("127.0.0.1", free_port(), free_port(), tmp_path / "data", echo=lines.append)
    try:
        running.wait_until_ready()
        banner = "\n".join(lines)
        assert f"{running.merchant_url}/shop" in banner
        token = (tmp_path / "data" / "merchant-admin.token").read_text().strip()
        assert "merchant-admin.token" in banner and token not in banner
    finally:
        running.shutdown()
