"""The NotificationInbox alone: events signed with the gateway's key by MessageSigner, handled directly."""

import json

import pytest

from paycore.payment.merchant.notifications import NotificationInbox
from paycore.payment.orders import OrderStatus
from paycore.payment.protocol.signing import MessageSigner
from tests.payment.builders import (
    MERCHANT_ID,
    event_body,
    order_record,
    payment_resource,
    refund_resource,
    stored,
)
from tests.payment.fakes import RecordingStore
from tests.payment.helpers import has_a_message

PATH = "/paycore/notify"
S = OrderStatus


@pytest.fixture
def inbox(store, gateway_pinned, clock):
    return NotificationInbox(store, gateway_pinned, clock, MERCHANT_ID)


@pytest.fixture
def deliver(inbox, gateway_key, clock):
    """``deliver(body)``: sign ``body`` as the gateway would and hand it to the inbox; ``(status, JSON)``."""

    def send(body, *, signer=None, path=PATH, timestamp=None, headers=None):
        signer = signer or MessageSigner(gateway_key)
        stamp = int(clock.now()) if timestamp is None else timestamp
        headers = headers or signer.sign_request("POST", path, body, timestamp=stamp)
        reply = inbox.handle(PATH, headers, body)
        assert reply.headers["content-type"] == "application/json"
        return reply.status, json.loads(reply.body)

    return send


def code(document):
    assert has_a_message(document)
    return document["error"]["code"]


def test_a_payment_notification_is_applied_once_and_acknowledged(deliver, store):
    stored(store, order_record("ord_a", status=S.PAYING))
    body = event_body("payment.succeeded", payment_resource("ord_a-1", 1000))
    assert deliver(body) == (200, {"code": "SUCCESS"})
    assert store.order("ord_a").status is S.PAID
    assert deliver(body) == (200, {"code": "SUCCESS", "duplicate": True})  # re-delivered, freshly signed
    assert [tuple(r)[:2] for r in store.db.query("SELECT * FROM processed_events")] == [
        ("evt_0001", "payment.succeeded")
    ]


def test_a_failed_payment_notification_fails_the_attempt(deliver, store):
    stored(store, order_record("ord_a", status=S.PAYING))
    failed = payment_resource("ord_a-1", 1000, status="FAILED", failure_code="CARD_DECLINED")
    assert deliver(event_body("payment.failed", failed))[0] == 200
    assert (store.order("ord_a").status, store.order("ord_a").failure_code) == (S.FAILED, "CARD_DECLINED")


def test_a_copy_with_the_same_nonce_is_a_replay(deliver, store, gateway_key, clock):
    stored(store, order_record("ord_a", status=S.PAYING))
    body = event_body("payment.succeeded", payment_resource("ord_a-1", 1000))
    headers = MessageSigner(gateway_key).sign_request("POST", PATH, body, timestamp=int(clock.now()))
    assert deliver(body, headers=headers)[0] == 200
    status, document = deliver(body, headers=headers)
    assert (status, code(document)) == (401, "REPLAYED_NONCE")


@pytest.mark.parametrize(
    "how, expected",
    [
        ("attacker", "UNKNOWN_KEY"),
        ("stale", "TIMESTAMP_OUT_OF_WINDOW"),
        ("other-path", "INVALID_SIGNATURE"),
        ("unsigned", "MALFORMED_HEADERS"),
    ],
)
def test_a_notification_that_fails_verification_changes_nothing(
    deliver, store, attacker_key, clock, how, expected
):
    before = stored(store, order_record("ord_a", status=S.PAYING))
    body = event_body("payment.succeeded", payment_resource("ord_a-1", 1000))
    kwargs = {
        "attacker": {"signer": MessageSigner(attacker_key)},
        "stale": {"timestamp": int(clock.now()) - 3600},
        "other-path": {"path": "/elsewhere"},
        "unsigned": {"headers": {"Content-Type": "application/json"}},
    }[how]
    status, document = deliver(body, **kwargs)
    assert (status, code(document)) == (401, expected)
    assert store.order("ord_a") == before and store.db.query("SELECT * FROM processed_events") == []


@pytest.mark.parametrize(
    "body, expected",
    [
        (b"{not json", "MALFORMED_JSON"),
        (b"[]", "INVALID_REQUEST"),
        (event_body("payment.refunded", {}), "INVALID_REQUEST"),
        (event_body("payment.succeeded", {"payment_id": "x"}), "INVALID_REQUEST"),
        (event_body("refund.succeeded", payment_resource("ord_a-1", 1000)), "INVALID_REQUEST"),
    ],
)
def test_a_signed_but_malformed_notification_gets_a_4xx(deliver, body, expected):
    status, document = deliver(body)
    assert 400 <= status < 500 and code(document) == expected


def test_a_notification_whose_data_is_not_a_resource_says_so(deliver):
    _, document = deliver(event_body("payment.succeeded", {"payment_id": "x"}))
    assert document["error"]["message"].startswith("invalid notification data: ")


def test_a_payment_notification_for_another_merchant_is_refused_with_an_alert_and_not_recorded(
    deliver, store
):
    before = stored(store, order_record("ord_a", status=S.PAYING))
    body = event_body("payment.succeeded", payment_resource("ord_a-1", 1000, merchant_id="M999999"))
    status, document = deliver(body)
    assert (status, code(document)) == (403, "MERCHANT_MISMATCH")
    assert store.order("ord_a") == before and len(store.alerts()) == 1
    assert store.db.query("SELECT * FROM processed_events") == []  # so a corrected delivery would be applied


def test_refund_notifications_move_the_order_forward_and_a_late_one_is_acknowledged(deliver, store):
    stored(store, order_record("ord_a", status=S.PAID))
    first = event_body("refund.succeeded", refund_resource("ord_a-1", 300, 300), event_id="evt_r1")
    second = event_body("refund.succeeded", refund_resource("ord_a-1", 300, 600), event_id="evt_r2")
    assert deliver(second)[0] == 200
    assert (store.order("ord_a").status, store.order("ord_a").refunded) == (S.PARTIALLY_REFUNDED, 600)
    assert deliver(first) == (200, {"code": "SUCCESS"})  # late: acknowledged, so the gateway stops retrying
    assert store.order("ord_a").refunded == 600  # and it changed nothing
    assert {row[0] for row in store.db.query("SELECT event_id FROM processed_events")} == {"evt_r1", "evt_r2"}


def test_a_refund_notification_for_an_unknown_trade_is_refused(deliver):
    status, document = deliver(event_body("refund.succeeded", refund_resource("ord_zzz-1", 1, 1)))
    assert (status, code(document)) == (404, "ORDER_NOT_FOUND")


def test_a_refund_notification_beyond_the_orders_amount_is_refused_with_an_alert(deliver, store):
    """Not a 500: the merchant's CHECK would refuse the row; the result is refused first, for a person."""
    before = stored(store, order_record("ord_a", status=S.PAID))
    status, document = deliver(event_body("refund.succeeded", refund_resource("ord_a-1", 2000, 2000)))
    assert (status, code(document)) == (422, "AMOUNT_MISMATCH")
    assert store.order("ord_a") == before and store.alerts()[0]["order_id"] == "ord_a"
    assert store.db.query("SELECT * FROM processed_events") == []


def test_a_notification_is_applied_without_waiting_for_the_disk(store, gateway_pinned, gateway_key, clock):
    """If the commit is lost, the gateway delivers again: nothing to flush for."""
    recording = RecordingStore(store)
    inbox = NotificationInbox(recording, gateway_pinned, clock, MERCHANT_ID)
    stored(store, order_record("ord_a", status=S.PAYING))
    body = event_body("payment.succeeded", payment_resource("ord_a-1", 1000))
    headers = MessageSigner(gateway_key).sign_request("POST", PATH, body, timestamp=int(clock.now()))
    assert inbox.handle(PATH, headers, body).status == 200
    assert recording.durable == [False]
