"""Step 3.6 for notifications: verified, deduplicated, re-checked, applied once -- or refused."""

import json

import pytest

from paycore.payment import Money, OrderStatus, PaymentError
from paycore.payment.protocol.signing import MessageSigner
from paycore.payment.runtime.demo import NOTIFY_PATH
from paycore.payment.runtime.world import MERCHANT_URL
from tests.payment.helpers import VISA, LossyLink, new_order

NOTIFY_URL = MERCHANT_URL + NOTIFY_PATH


@pytest.fixture
def paying_order(world):
    """An order whose payment succeeded at the gateway but whose reply the merchant never got."""
    world.interpose(lambda network: LossyLink(network, lose=99))
    order = new_order(world, price=300)
    with pytest.raises(PaymentError):
        world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    world.interpose(lambda network: network)
    body = bytes(world.gateway.db.query_one("SELECT body FROM outbox")["body"])
    return order["order_id"], body


def notify(world, body, signer, timestamp=None):
    stamp = int(world.clock.now()) if timestamp is None else timestamp
    headers = {
        "Content-Type": "application/json",
        **signer.sign_request("POST", NOTIFY_PATH, body, timestamp=stamp),
    }
    return headers, world.network.request("POST", NOTIFY_URL, headers, body)


def status(world, order_id):
    return world.merchant.get_order("alice", order_id)["status"]


def test_a_genuine_notification_is_applied_once_and_duplicates_change_nothing(world, paying_order):
    order_id, body = paying_order
    _, first = notify(world, body, world.gateway.signer)
    assert first.status == 200 and status(world, order_id) == OrderStatus.PAID
    _, second = notify(world, body, world.gateway.signer)  # the gateway retried: same event, fresh signature
    assert second.status == 200 and json.loads(second.body)["duplicate"] is True
    assert world.merchant.db.query_one("SELECT COUNT(*) AS n FROM processed_events")["n"] == 1


def test_an_unsigned_notification_is_refused(world, paying_order):
    order_id, body = paying_order
    reply = world.network.request("POST", NOTIFY_URL, {"Content-Type": "application/json"}, body)
    assert reply.status == 401 and status(world, order_id) == OrderStatus.PAYING


def test_a_notification_signed_by_an_attacker_is_refused(world, paying_order, attacker_key):
    order_id, body = paying_order
    _, reply = notify(world, body, MessageSigner(attacker_key))
    assert (reply.status, json.loads(reply.body)["error"]["code"]) == (401, "UNKNOWN_KEY")
    headers = {
        "Content-Type": "application/json",
        **MessageSigner(attacker_key).sign_request(
            "POST", NOTIFY_PATH, body, timestamp=int(world.clock.now())
        ),
        "Paycore-Key-Id": world.gateway.key_id,
    }  # claims to be the gateway
    reply = world.network.request("POST", NOTIFY_URL, headers, body)
    assert json.loads(reply.body)["error"]["code"] == "INVALID_SIGNATURE"
    assert status(world, order_id) == OrderStatus.PAYING


def test_a_replayed_or_stale_notification_is_refused(world, paying_order):
    _, body = paying_order
    headers, _ = notify(world, body, world.gateway.signer)
    again = world.network.request("POST", NOTIFY_URL, headers, body)
    assert json.loads(again.body)["error"]["code"] == "REPLAYED_NONCE"
    _, stale = notify(world, body, world.gateway.signer, timestamp=int(world.clock.now()) - 3600)
    assert json.loads(stale.body)["error"]["code"] == "TIMESTAMP_OUT_OF_WINDOW"


def test_a_notification_for_another_amount_is_refused_and_raises_an_alert(world, paying_order):
    """Even correctly signed: the merchant re-checks the amount against its own order."""
    order_id, body = paying_order
    event = json.loads(body)
    event["event_id"] = "evt_tampered"
    event["data"]["amount"]["value"] = 1
    _, reply = notify(world, json.dumps(event).encode(), world.gateway.signer)
    assert (reply.status, json.loads(reply.body)["error"]["code"]) == (422, "AMOUNT_MISMATCH")
    assert status(world, order_id) == OrderStatus.PAYING
    alert = world.merchant.db.query_one("SELECT order_id, message FROM alerts")
    assert alert["order_id"] == order_id and "is for 1 CNY" in alert["message"]


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"event_id": "e", "type": "payment.refunded"}'])
def test_malformed_but_signed_notifications_get_a_4xx(world, body):
    _, reply = notify(world, body, world.gateway.signer)
    assert 400 <= reply.status < 500


def test_a_notification_after_the_reply_changes_nothing(world):
    order = new_order(world, price=300)
    world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)  # the reply already made it PAID
    report = world.notifier.deliver_due()
    assert len(report.delivered) == 1 and report.retrying == report.dead == ()
    assert status(world, order["order_id"]) == OrderStatus.PAID


def test_a_notification_signed_with_another_algorithm_is_refused(world, paying_order):
    """Even with the gateway's own key: the merchant pins the algorithm as well (no downgrade)."""
    order_id, body = paying_order
    downgraded = MessageSigner(world.gateway.signer.private_key, "RSA-PKCS1v15-SHA256")
    _, reply = notify(world, body, downgraded)
    assert (reply.status, json.loads(reply.body)["error"]["code"]) == (401, "UNSUPPORTED_ALGORITHM")
    assert status(world, order_id) == OrderStatus.PAYING
