"""The Notifier alone: a fake mailroom (or the real store in memory), a fake notify endpoint, a fake clock.

Every pass returns a :class:`DeliveryReport`; the tests read what happened from it, and check what
the notifier told the store and what it put on the wire.
"""

import itertools
import threading

import pytest

from paycore.payment.clock import FakeClock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway import outbox
from paycore.payment.gateway.outbox import RETRY_SCHEDULE, DeliveryReport, Notifier, next_attempt
from paycore.payment.protocol.signing import MessageSigner, MessageVerifier, PinnedKey
from tests.payment.fakes import FakeMailroom, FakeNotifyEndpoint

T0 = 1_764_201_600.0
URL = "http://merchant.test/paycore/notify"
BODY = b'{"event_id":"evt_1"}'


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def mailroom():
    room = FakeMailroom()
    room.add("evt_1", URL, BODY, due=T0)
    return room


@pytest.fixture
def endpoint():
    return FakeNotifyEndpoint()


@pytest.fixture
def notifier(mailroom, endpoint, gateway_key, clock):
    return Notifier(mailroom, MessageSigner(gateway_key), endpoint, clock)


def test_the_schedule_grows_and_spans_about_a_day():
    assert RETRY_SCHEDULE[:4] == (15, 15, 30, 180)
    assert all(a <= b for a, b in itertools.pairwise(RETRY_SCHEDULE))
    assert 23 * 3600 < sum(RETRY_SCHEDULE) < 25 * 3600


def test_next_attempt_follows_the_schedule_then_gives_up():
    for attempts, delay in enumerate(RETRY_SCHEDULE, start=1):
        assert next_attempt(attempts, now=T0) == T0 + delay
    assert next_attempt(len(RETRY_SCHEDULE) + 1, now=T0) is None


def test_a_2xx_is_delivered(notifier, mailroom, endpoint):
    assert notifier.deliver_due() == DeliveryReport(delivered=("evt_1",))
    entry = mailroom.entries["evt_1"]
    assert (entry.state, entry.message.attempts, entry.results) == ("delivered", 1, ["HTTP 200"])
    assert entry.retry_ats == [None]  # nothing left to schedule
    assert notifier.deliver_due() == DeliveryReport()  # delivered messages are never sent again
    assert len(endpoint.received) == 1


def test_each_attempt_is_signed_afresh_as_a_request_to_the_notify_path(
    notifier, endpoint, gateway_key, clock
):
    endpoint.status = 503
    notifier.deliver_due()
    clock.advance(RETRY_SCHEDULE[0])
    notifier.deliver_due()
    first, second = endpoint.received
    verifier = MessageVerifier(PinnedKey("gateway", gateway_key.public_key(), "RSA-PSS-SHA256"), clock)
    for sent in (first, second):
        assert (sent.method, sent.url, sent.body) == ("POST", URL, BODY)
        assert sent.headers["Content-Type"] == "application/json"
        verifier.verify_request("POST", "/paycore/notify", sent.headers, sent.body)
    assert first.headers["Paycore-Nonce"] != second.headers["Paycore-Nonce"]
    assert int(second.headers["Paycore-Timestamp"]) == T0 + RETRY_SCHEDULE[0]
    with pytest.raises(PaymentError) as refusal:  # the path is part of what is signed
        verifier.verify_request("POST", "/other", first.headers, first.body)
    assert refusal.value.code is ErrorCode.INVALID_SIGNATURE


def test_a_url_without_a_path_is_signed_for_the_root(mailroom, endpoint, gateway_key, clock):
    mailroom.entries.clear()
    mailroom.add("evt_root", "http://merchant.test", BODY, due=T0)
    Notifier(mailroom, MessageSigner(gateway_key), endpoint, clock).deliver_due()
    verifier = MessageVerifier(PinnedKey("gateway", gateway_key.public_key(), "RSA-PSS-SHA256"), clock)
    verifier.verify_request("POST", "/", endpoint.received[0].headers, BODY)


def test_a_notify_url_with_a_query_is_signed_with_its_query_exactly_as_sent(
    mailroom, endpoint, gateway_key, clock
):
    """A merchant may route notifications by query (``?shop=7``): the signed target carries it, so
    the merchant verifies the request line it received, and the query cannot be changed on the way."""
    mailroom.entries.clear()
    mailroom.add("evt_q", "http://merchant.test/paycore/notify?shop=7&x=%2F", BODY, due=T0)
    Notifier(mailroom, MessageSigner(gateway_key), endpoint, clock).deliver_due()
    verifier = MessageVerifier(PinnedKey("gateway", gateway_key.public_key(), "RSA-PSS-SHA256"), clock)
    (sent,) = endpoint.received
    verifier.verify_request("POST", "/paycore/notify?shop=7&x=%2F", sent.headers, BODY)
    with pytest.raises(PaymentError) as refusal:
        verifier.verify_request("POST", "/paycore/notify?shop=8&x=%2F", sent.headers, BODY)
    assert refusal.value.code is ErrorCode.INVALID_SIGNATURE


@pytest.mark.parametrize(
    "status, delivered",
    [(200, True), (204, True), (299, True), (199, False), (300, False), (409, False), (500, False)],
)
def test_only_a_2xx_counts_as_delivered(notifier, endpoint, status, delivered):
    endpoint.status = status
    report = notifier.deliver_due()
    assert report == (
        DeliveryReport(delivered=("evt_1",)) if delivered else DeliveryReport(retrying=("evt_1",))
    )


def test_a_refusal_is_retried_on_the_schedule_and_never_earlier(notifier, mailroom, endpoint, clock):
    endpoint.status = 500
    for attempt, delay in enumerate(RETRY_SCHEDULE[:5], start=1):
        assert notifier.deliver_due() == DeliveryReport(retrying=("evt_1",))
        entry = mailroom.entries["evt_1"]
        assert (entry.state, entry.message.attempts, entry.next_attempt_at) == (
            "pending",
            attempt,
            clock.now() + delay,
        )
        clock.advance(delay - 1)
        assert notifier.deliver_due() == DeliveryReport()  # one second early: not due
        clock.advance(1)
    endpoint.status = 200
    assert notifier.deliver_due() == DeliveryReport(delivered=("evt_1",))
    assert mailroom.entries["evt_1"].results == ["HTTP 500"] * 5 + ["HTTP 200"]


def test_an_unreachable_endpoint_is_retried_with_the_reason(notifier, mailroom, endpoint):
    endpoint.unreachable = True
    assert notifier.deliver_due() == DeliveryReport(retrying=("evt_1",))
    assert mailroom.entries["evt_1"].results == [
        "POST http://merchant.test/paycore/notify: connection refused"
    ]


def test_a_message_is_dead_after_the_whole_schedule(notifier, mailroom, endpoint, clock):
    endpoint.unreachable = True
    for delay in RETRY_SCHEDULE:
        assert notifier.deliver_due() == DeliveryReport(retrying=("evt_1",))
        clock.advance(delay)
    assert notifier.deliver_due() == DeliveryReport(dead=("evt_1",))
    entry = mailroom.entries["evt_1"]
    assert (entry.state, entry.message.attempts) == ("dead", len(RETRY_SCHEDULE) + 1)
    assert entry.retry_ats[-1] is None
    clock.advance(10**6)
    assert notifier.deliver_due() == DeliveryReport() and notifier.pending() == []
    assert len(endpoint.received) == len(RETRY_SCHEDULE) + 1


def test_one_pass_reports_each_message_and_passes_the_limit_on(mailroom, gateway_key, clock):
    class Picky(FakeNotifyEndpoint):
        def request(self, method, url, headers, body=b""):
            self.status = 200 if b"ok" in body else 500
            return super().request(method, url, headers, body)

    mailroom.entries.clear()
    mailroom.add("evt_ok", URL, b'{"ok":1}', due=T0 - 2)
    mailroom.add("evt_bad", URL, b'{"no":1}', due=T0 - 1)
    mailroom.add("evt_later", URL, b'{"ok":2}', due=T0 + 5)
    notifier = Notifier(mailroom, MessageSigner(gateway_key), Picky(), clock)
    assert notifier.deliver_due(limit=7) == DeliveryReport(delivered=("evt_ok",), retrying=("evt_bad",))
    assert mailroom.limits == [7]
    notifier.deliver_due()
    assert mailroom.limits == [7, 100]
    assert notifier.pending() == [
        {"event_id": "evt_bad", "attempts": 1},
        {"event_id": "evt_later", "attempts": 0},
    ]


# -- on the real store ---------------------------------------------------------------------------------
def test_on_the_gateways_store_a_queued_message_is_delivered_once(store, endpoint, gateway_key, clock):
    store.run(lambda unit: unit.enqueue(event_id="evt_9", merchant_id="M100001", url=URL, body=BODY, now=T0))
    notifier = Notifier(store, MessageSigner(gateway_key), endpoint, clock)
    endpoint.status = 502
    assert notifier.deliver_due() == DeliveryReport(retrying=("evt_9",))
    assert notifier.pending()[0]["next_attempt_at"] == T0 + RETRY_SCHEDULE[0]
    clock.advance(RETRY_SCHEDULE[0])
    endpoint.status = 200
    assert notifier.deliver_due() == DeliveryReport(delivered=("evt_9",))
    assert notifier.pending() == [] and notifier.deliver_due() == DeliveryReport()
    row = store.db.query_one("SELECT state, attempts, last_result, delivered_at FROM outbox")
    assert tuple(row) == ("delivered", 2, "HTTP 200", T0 + RETRY_SCHEDULE[0])
    assert [sent.body for sent in endpoint.received] == [BODY, BODY]


def test_leases_and_delivery_outcomes_are_committed_without_a_flush(store, endpoint, gateway_key, clock):
    """The lease of a pass and the outcome of its attempt: if either is lost, the message is delivered
    again (once the lease has expired), and the merchant deduplicates it."""
    store.run(lambda unit: unit.enqueue(event_id="evt_9", merchant_id="M100001", url=URL, body=BODY, now=T0))
    before = dict(store.db.commits)
    endpoint.status = 500
    Notifier(store, MessageSigner(gateway_key), endpoint, clock).deliver_due()
    assert store.db.commits == {"durable": before["durable"], "relaxed": before["relaxed"] + 2}


class BlockedEndpoint(FakeNotifyEndpoint):
    """A merchant endpoint that holds every delivery until the test lets it answer."""

    def __init__(self) -> None:
        super().__init__()
        self.release, self.answered = threading.Event(), threading.Event()

    def request(self, method, url, headers, body=b""):
        self.release.wait(30)
        try:
            return super().request(method, url, headers, body)
        finally:
            self.answered.set()


def test_a_pass_ends_after_pass_timeout_and_leaves_a_delivery_still_on_its_way_out_of_the_report(
    mailroom, gateway_key, clock, monkeypatch
):
    """A merchant that never answers cannot hold the notifier's pass: it returns after PASS_TIMEOUT,
    reporting nothing for the message still in flight (its lease keeps it from being sent twice)."""
    monkeypatch.setattr(outbox, "PASS_TIMEOUT", 0.2)
    endpoint = BlockedEndpoint()
    notifier = Notifier(mailroom, MessageSigner(gateway_key), endpoint, clock)
    reports = []
    passing = threading.Thread(target=lambda: reports.append(notifier.deliver_due()), daemon=True)
    try:
        passing.start()
        passing.join(10)
        assert not passing.is_alive() and reports == [DeliveryReport()]
        assert mailroom.entries["evt_1"].state == "pending" and not endpoint.received  # still held
    finally:
        endpoint.release.set()
    assert endpoint.answered.wait(10) and [sent.url for sent in endpoint.received] == [URL]
    notifier.close()


def test_an_outcome_the_store_cannot_record_is_reported_as_still_pending(gateway_key, clock, endpoint):
    """A full disk while recording: the message stays due, and the report counts it as retrying."""

    class FullDisk(FakeMailroom):
        def record_delivery(self, event_id, **outcome):
            raise OSError(28, "No space left on device")

    mailroom = FullDisk()
    mailroom.add("evt_1", URL, BODY, due=T0)
    notifier = Notifier(mailroom, MessageSigner(gateway_key), endpoint, clock)
    assert notifier.deliver_due() == DeliveryReport(retrying=("evt_1",))
    assert mailroom.entries["evt_1"].state == "pending" and len(endpoint.received) == 1
