"""No merchant can take the notifier down: bad URLs, links that raise, endpoints that never answer.

Before, a signed payment whose ``notify_url`` was ``http://a..b/hook`` raised a UnicodeError (IDNA)
inside the notifier thread, which died; ``paycore serve`` then exited 0 and crash-looped on every
restart. Three endpoints that never answered delayed every other merchant's notification by about
30 seconds. These tests use real SQLite files, real sockets and a real ``paycore serve``.
"""

import json
import subprocess
import sys
import time
from concurrent.futures import wait

import httpx
import pytest

from paycore.cli import main
from paycore.payment import FakeClock, Money
from paycore.payment.gateway.outbox import Notifier
from paycore.payment.gateway.sqlite import SQLiteGatewayStore
from paycore.payment.protocol.signing import MessageSigner
from paycore.payment.protocol.wire import Headers, LinkError, Reply
from paycore.payment.runtime import transport
from paycore.payment.runtime.demo import MERCHANT_ID
from paycore.payment.runtime.transport import NOTIFY_TIMEOUT, HttpLink
from paycore.payment.runtime.world import MERCHANT_URL
from tests.payment.conftest import START
from tests.payment.hardening_helpers import (
    Blackhole,
    HealthyEndpoint,
    Live,
    free_port,
    new_trade_no,
    request_nonce,
)
from tests.payment.helpers import VISA, error_code, send, signed_request

DOCUMENTED_SCHEDULE = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)
"""docs/PROTOCOL.md section 10: the wait after each failed attempt (WeChat Pay's schedule)."""
UNUSABLE_URLS = ("http://a..b/hook", "http://[::1/hook", "ftp://merchant.example/hook", "not a url")


@pytest.fixture
def mailroom(tmp_path):
    """The gateway's outbox in a real SQLite file."""
    store = SQLiteGatewayStore(tmp_path / "gateway.sqlite3")
    yield store
    store.close()


def enqueue(store, url: str, *, now: float = START, event_id: str | None = None) -> str:
    """Queue one notification through the store's unit of work, as a payment would."""
    event_id = event_id or "evt_" + new_trade_no()[2:26]
    body = json.dumps({"event_id": event_id, "type": "payment.succeeded", "created_at": int(now), "data": {}})
    store.run(
        lambda unit: unit.enqueue(
            event_id=event_id, merchant_id=MERCHANT_ID, url=url, body=body.encode(), now=now
        )
    )
    return event_id


def row(store, event_id: str) -> dict:
    found = store.db.query_one(
        "SELECT state, attempts, next_attempt_at, last_result FROM outbox WHERE event_id = ?", (event_id,)
    )
    return dict(found)


# -- 1. notify URLs: registered origins at the door, parked at once in the outbox ---------------------------
@pytest.mark.parametrize(
    "notify_url, allowed",
    [
        ("http://a..b/hook", False),
        ("http://evil.example/hook", False),
        ("http://localhost:8001/paycore/notify", False),  # not the registered origin, though it is loopback
        ("http://127.0.0.1:9/anything", True),  # the demo merchant registered any loopback port
    ],
)
def test_serve_refuses_a_notify_url_off_the_merchants_origins(live, notify_url, allowed):
    out_trade_no = new_trade_no()
    body = live.payment_body(out_trade_no, notify_url=notify_url)
    headers = live.signed_headers(body)
    answer = live.to_gateway(body, headers)
    assert live.answer_is_signed(answer, request_nonce(headers))
    if allowed:
        assert answer.status_code == 200, answer.text
    else:
        assert (answer.status_code, answer.json()["error"]["code"]) == (422, "NOTIFY_URL_NOT_ALLOWED")
        assert live.rows("gateway", "SELECT 1 FROM payments WHERE out_trade_no = ?", (out_trade_no,)) == []
        assert live.rows("gateway", "SELECT 1 FROM outbox WHERE url = ?", (notify_url,)) == []


@pytest.mark.parametrize(
    "notify_url, allowed",
    [
        (MERCHANT_URL + "/another/path", True),  # build_world registers the merchant URL's origin
        ("http://merchant.paycore.test:8080/paycore/notify", False),  # another port
        ("https://merchant.paycore.test/paycore/notify", False),  # another scheme
        ("http://gateway.paycore.test/paycore/notify", False),  # another host: the gateway's own network
    ],
)
def test_build_world_registers_the_merchant_urls_origin(world, notify_url, allowed):
    body = world.merchant.build_payment_request("T-origin-1", Money(100, "CNY"), VISA, description="t")
    body = body.replace(world.merchant.notify_url.encode(), notify_url.encode())
    reply = send(world, signed_request(world, body), body)
    assert (reply.status, error_code(reply)) == ((200, None) if allowed else (422, "NOTIFY_URL_NOT_ALLOWED"))


def test_an_unusable_url_in_the_outbox_is_parked_at_once_and_the_healthy_merchant_still_hears(
    mailroom, gateway_key
):
    healthy = HealthyEndpoint()
    notifier = Notifier(
        mailroom, MessageSigner(gateway_key), HttpLink(timeout=NOTIFY_TIMEOUT), FakeClock(START)
    )
    try:
        bad = [enqueue(mailroom, url) for url in UNUSABLE_URLS]
        good = enqueue(mailroom, healthy.url)
        report = notifier.deliver_due()  # one pass: every message is due
    finally:
        notifier.close()
        healthy.close()
    assert set(report.dead) == set(bad) and report.delivered == (good,) and report.retrying == ()
    for event_id in bad:
        parked = row(mailroom, event_id)
        assert parked["state"] == "dead" and parked["attempts"] == 1
        assert "cannot be" in parked["last_result"]  # "cannot be used" / "cannot be parsed"
    assert row(mailroom, good)["state"] == "delivered"
    # the healthy merchant got a genuine, verifiable notification
    ((path, body),) = healthy.received
    assert path == "/paycore/notify" and json.loads(body)["event_id"] == good


class RaisingLink:
    def request(self, method, url, headers, body=b""):
        raise RuntimeError("a bug in some library")


class UnreachableLink:
    def request(self, method, url, headers, body=b""):
        raise LinkError(f"{method} {url}: connection reset")


class GarbageLink:
    def __init__(self, garbage):
        self.garbage = garbage

    def request(self, method, url, headers, body=b""):
        return self.garbage


@pytest.mark.parametrize(
    "link, recorded",
    [
        (RaisingLink(), "RuntimeError"),
        (UnreachableLink(), "connection reset"),
        (GarbageLink("<html>not a reply</html>"), "AttributeError"),
        (GarbageLink(None), "AttributeError"),
        (GarbageLink(Reply.__new__(Reply)), "AttributeError"),  # a Reply with nothing in it
        (GarbageLink(Reply("200", Headers(), b"")), "TypeError"),  # a status that is not a number
        (GarbageLink(Reply(500, Headers(), b"oops")), "HTTP 500"),
    ],
    ids=["RuntimeError", "LinkError", "str", "None", "empty-reply", "text-status", "http-500"],
)
def test_every_failure_of_a_link_is_recorded_and_retried_on_the_documented_schedule(
    mailroom, gateway_key, link, recorded
):
    clock = FakeClock(START)
    notifier = Notifier(mailroom, MessageSigner(gateway_key), link, clock)
    event_id = enqueue(mailroom, "http://merchant.example/paycore/notify")
    try:
        for attempt, wait_after in enumerate(DOCUMENTED_SCHEDULE, start=1):
            report = notifier.deliver_due()
            assert report.retrying == (event_id,), f"attempt {attempt}: {report}"
            state = row(mailroom, event_id)
            assert state["state"] == "pending" and state["attempts"] == attempt
            assert recorded in state["last_result"]
            assert state["next_attempt_at"] == clock.now() + wait_after
            clock.advance(wait_after - 1)
            assert notifier.deliver_due() == type(report)()  # not due a second early
            clock.advance(1)
        final = notifier.deliver_due()  # attempt 16, after 24 h 4 min: the schedule is spent
        assert final.dead == (event_id,)
        assert row(mailroom, event_id)["attempts"] == len(DOCUMENTED_SCHEDULE) + 1
        assert [message["event_id"] for message in notifier.parked()] == [event_id]
        assert notifier.pending() == []
        clock.advance(10**6)
        assert notifier.deliver_due() == type(final)()  # parked is parked: no more attempts
    finally:
        notifier.close()


# -- 2. lanes: endpoints that never answer delay nobody else -------------------------------------------------
def test_three_blackholes_do_not_delay_a_healthy_merchant_and_each_gets_at_most_per_destination(
    mailroom, gateway_key
):
    """Real listening sockets that accept and never answer, and a real healthy HTTP endpoint.

    The healthy message is queued last; it must be delivered (and recorded) while every blackholed
    message is still in flight, and no blackhole may see more than ``per_destination`` connections.
    """
    holes = [Blackhole() for _ in range(3)]
    healthy = HealthyEndpoint()
    # a long read timeout: this test is about who waits for whom, not about how long a timeout is
    link = HttpLink(timeout=httpx.Timeout(60.0, connect=2.0))
    notifier = Notifier(
        mailroom, MessageSigner(gateway_key), link, FakeClock(START + 10), workers=16, per_destination=2
    )
    stuck = [enqueue(mailroom, hole.url, now=START) for hole in holes for _ in range(3)]
    good = enqueue(mailroom, healthy.url, now=START + 1)  # due after all of them
    futures = []
    try:
        futures = notifier.dispatch()
        assert len(futures) == len(stuck) + 1
        assert futures[-1].result(timeout=60) == (good, "delivered")
        assert row(mailroom, good)["state"] == "delivered"
        assert not any(future.done() for future in futures[:-1])  # every blackholed one still in flight
        in_flight = [row(mailroom, event_id) for event_id in stuck]
        assert all((state["state"], state["attempts"]) == ("pending", 0) for state in in_flight)
        deadline = time.monotonic() + 30
        while any(hole.accepted < 2 for hole in holes) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # room for a third connection to show up, were the lanes not bounded
        assert [hole.accepted for hole in holes] == [2, 2, 2]
        assert [hole.most_open for hole in holes] == [2, 2, 2]
    finally:
        for hole in holes:
            hole.close()  # hang up: the deliveries in flight fail, and the queued ones find no listener
        wait(futures, timeout=60)
        notifier.close()
        healthy.close()
    for event_id in stuck:
        failed = row(mailroom, event_id)
        assert failed["state"] == "pending" and failed["attempts"] == 1
        assert failed["last_result"].startswith("POST http://127.0.0.1:")
    assert [hole.most_open for hole in holes] == [2, 2, 2]


# -- 1 and 2 in paycore serve: the notifier survives, times out, parks; paycore outbox shows it all ----------
@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """A `paycore serve` whose notification timeouts are short (it reads NOTIFY_TIMEOUT when it starts)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transport, "NOTIFY_TIMEOUT", httpx.Timeout(0.5, connect=0.5))
        running = Live.start(tmp_path_factory.mktemp("faulty") / "data")
    yield running
    running.close()


def wait_for(condition, what: str, timeout: float = 30.0):
    """Poll ``condition`` until it holds (a bound for a stuck test, not a performance claim)."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)
    return result


def test_serve_survives_every_bad_notification_and_still_delivers(faulty):
    store = faulty.running.notifier.store
    hole, healthy = Blackhole(), HealthyEndpoint()
    urls = {
        "idna": "http://a..b/hook",
        "unparseable": "http://[::1/hook",
        "blackhole": hole.url,
        "refused": f"http://127.0.0.1:{free_port()}/paycore/notify",
        "healthy": healthy.url,
    }
    try:
        events = {name: enqueue(store, url, now=time.time()) for name, url in urls.items()}

        def settled():
            rows = {name: row(store, event_id) for name, event_id in events.items()}
            done = rows["healthy"]["state"] == "delivered" and all(
                rows[name]["attempts"] >= 1 for name in ("idna", "unparseable", "blackhole", "refused")
            )
            return rows if done else None

        rows = wait_for(settled, "every message to be tried once")
    finally:
        hole.close()
        healthy.close()
    assert rows["idna"]["state"] == rows["unparseable"]["state"] == "dead"
    assert rows["blackhole"]["state"] == "pending" and "ReadTimeout" in rows["blackhole"]["last_result"]
    assert rows["refused"]["state"] == "pending" and "ConnectError" in rows["refused"]["last_result"]
    # the notifications' own link has the short timeouts (the default link would wait 10 s)
    assert faulty.running.notifier.link.inner._client.timeout == httpx.Timeout(0.5, connect=0.5)
    assert faulty.running.dead_part() is None
    assert all(thread.is_alive() for thread in faulty.running.threads)
    # ... and it keeps working: a payment's notification reaches the merchant
    order = faulty.new_order(250)
    assert faulty.pay(order).json()["status"] == "PAID"
    wait_for(
        lambda: faulty.rows(
            "gateway",
            "SELECT state FROM outbox WHERE url LIKE ? AND state = 'delivered'",
            (faulty.merchant_url + "%",),
        ),
        "the payment's notification",
    )


def _outbox(data, *options):
    command = [sys.executable, "-m", "paycore.cli", "outbox", "--data-dir", str(data), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def _sections(output: str) -> tuple[str, str]:
    waiting, _, parked = output.partition("parked (dead letters):")
    return waiting, parked


def test_paycore_outbox_lists_waiting_and_parked_and_sends_them_again(faulty, tmp_path, capsys):
    store = faulty.running.notifier.store
    parked_ids = [enqueue(store, url, now=time.time()) for url in ("http://a..b/hook", "ftp://x.example/h")]
    waiting_id = enqueue(store, f"http://127.0.0.1:{free_port()}/paycore/notify", now=time.time())
    wait_for(lambda: all(row(store, event_id)["state"] == "dead" for event_id in parked_ids), "parking")
    wait_for(lambda: row(store, waiting_id)["attempts"] == 1, "the first attempt")

    listed = _outbox(faulty.data)
    assert listed.returncode == 0, listed.stderr
    waiting, parked = _sections(listed.stdout)
    pending_rows = faulty.rows("gateway", "SELECT COUNT(*) FROM outbox WHERE state = 'pending'")[0][0]
    dead_rows = faulty.rows("gateway", "SELECT COUNT(*) FROM outbox WHERE state = 'dead'")[0][0]
    assert f"waiting: {pending_rows}" in waiting and f"parked (dead letters): {dead_rows}" in listed.stdout
    assert waiting_id in waiting and "ConnectError" in waiting
    assert all(event_id in parked and event_id not in waiting for event_id in parked_ids)
    assert "http://a..b/hook" in parked and "cannot be used" in parked

    again = _outbox(faulty.data, "--retry", parked_ids[0])
    assert again.returncode == 0 and "1 parked notification(s) due again now" in again.stdout
    # the running server's notifier picks it up: a second attempt, parked again (the URL is still bad)
    wait_for(lambda: row(store, parked_ids[0])["attempts"] == 2, "the retried message's second attempt")
    wait_for(lambda: row(store, parked_ids[0])["state"] == "dead", "parking again")
    assert row(store, parked_ids[1])["attempts"] == 1  # the other one was left alone

    # the same command in this process (a subprocess costs a second): --retry-all, and two refusals
    dead_now = faulty.rows("gateway", "SELECT COUNT(*) FROM outbox WHERE state = 'dead'")[0][0]
    assert main(["outbox", "--data-dir", str(faulty.data), "--retry-all"]) == 0
    assert f"{dead_now} parked notification(s) due again now" in capsys.readouterr().out
    wait_for(lambda: row(store, parked_ids[1])["attempts"] == 2, "the second message's retry")
    assert main(["outbox", "--data-dir", str(faulty.data), "--retry", "evt_000000000000000000000000"]) == 2
    assert capsys.readouterr().err.startswith("paycore: error: no parked notification has the event id")
    assert main(["outbox", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
