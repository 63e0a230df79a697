"""Nothing lost: concurrency, lost replies, a notification endpoint that is down, a gateway restart."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from paycore.payment import Card, Money, OrderStatus, PaymentError, build_world
from paycore.payment.gateway.outbox import RETRY_SCHEDULE
from paycore.payment.runtime.demo import MERCHANT_ID
from paycore.payment.runtime.world import MERCHANT_URL
from tests.payment.helpers import VISA, LossyLink, ledger_entries, new_order, payer_balance

PAY_HEADERS = {"X-User-Id": "alice"}


def pay_over_http(client, order_id, value=100, method=None):
    method = method or {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}
    return client.post(
        f"/orders/{order_id}/pay",
        json={"amount": {"value": value, "currency": "CNY"}, "method": method},
        headers=PAY_HEADERS,
    )


def test_50_concurrent_submissions_of_one_order_debit_once(file_world):
    order = new_order(file_world, price=700)
    before, entries = payer_balance(file_world), ledger_entries(file_world)
    client = file_world.merchant_client()
    with ThreadPoolExecutor(max_workers=50) as pool:
        replies = list(pool.map(lambda _: pay_over_http(client, order["order_id"], 700), range(50)))
    statuses = sorted(reply.status_code for reply in replies)
    assert statuses.count(200) == 1, statuses
    assert all(
        reply.status_code == 409 and reply.json()["error"]["code"] == "ORDER_NOT_PAYABLE"
        for reply in replies
        if reply.status_code != 200
    )
    assert payer_balance(file_world) == before - 700
    assert ledger_entries(file_world) == entries + 2
    file_world.gateway.check_ledger()


def test_50_concurrent_copies_of_one_signed_request_at_the_gateway_debit_once(file_world):
    """Bypass the merchant's own guard: the gateway's idempotency and out_trade_no rules must hold alone."""
    from tests.payment.helpers import payment_body, send, signed_request

    body = payment_body(file_world, "T-race-1", amount=Money(700, "CNY"))
    before = payer_balance(file_world)
    requests = [signed_request(file_world, body, idempotency_key="race-key-0001") for _ in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        replies = list(pool.map(lambda headers: send(file_world, headers, body), requests))
    succeeded = [reply for reply in replies if reply.status == 200]
    assert len({reply.body for reply in succeeded}) == 1  # every 200 is the one stored answer
    assert all(
        json.loads(reply.body)["error"]["code"] == "REQUEST_IN_PROGRESS"
        for reply in replies
        if reply.status != 200
    )
    assert payer_balance(file_world) == before - 700


def test_200_concurrent_payments_conserve_the_ledger_and_never_overdraw(file_world):
    """The 5555 card holds 500.00 CNY: of 200 payments of 10.00, exactly 50 can succeed."""
    client = file_world.merchant_client()
    orders = [new_order(file_world, price=1000)["order_id"] for _ in range(200)]
    card = {"type": "card", "number": "5555555555554444", "expiry": "06/29", "cvv": "321"}
    with ThreadPoolExecutor(max_workers=16) as pool:
        replies = list(pool.map(lambda order_id: pay_over_http(client, order_id, 1000, card), orders))
    assert all(reply.status_code == 200 for reply in replies), {reply.status_code for reply in replies}
    statuses = [file_world.merchant.get_order("alice", order_id)["status"] for order_id in orders]
    assert statuses.count(OrderStatus.PAID) == 50
    assert statuses.count(OrderStatus.FAILED) == 150
    assert payer_balance(file_world, Card("5555555555554444", "06/29", "321")) == 0
    assert file_world.gateway.balance(f"merchant:{MERCHANT_ID}:CNY") == 50 * 1000
    assert file_world.gateway.check_ledger() == {"CNY": 0, "USD": 0}


def test_a_lost_reply_is_retried_with_the_same_bytes_and_key_and_charged_once(world):
    world.interpose(lambda network: LossyLink(network, lose=1))
    order = new_order(world, price=300)
    before = payer_balance(world)
    paid = world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    assert paid["status"] == OrderStatus.PAID
    assert payer_balance(world) == before - 300
    sent = [exchange for exchange in world.wire_log if exchange.label.startswith("3.3")]
    assert len(sent) == 2 and sent[0].request_body == sent[1].request_body
    assert sent[0].request_headers["Idempotency-Key"] == sent[1].request_headers["Idempotency-Key"]
    assert sent[0].request_headers["Paycore-Nonce"] != sent[1].request_headers["Paycore-Nonce"]


def test_when_every_reply_is_lost_the_order_waits_in_paying_until_reconciled(world):
    world.interpose(lambda network: LossyLink(network, lose=99))
    order = new_order(world, price=300)
    with pytest.raises(PaymentError) as refusal:
        world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    assert refusal.value.code == "GATEWAY_UNAVAILABLE"
    assert world.merchant.get_order("alice", order["order_id"])["status"] == OrderStatus.PAYING
    world.interpose(lambda network: network)
    assert world.merchant.reconcile() == [(order["order_id"], "PAID")]


def test_a_request_that_never_arrived_fails_only_after_the_window(world, clock):
    world.network.take_down("http://gateway.paycore.test")
    order = new_order(world, price=300)
    with pytest.raises(PaymentError):
        world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    world.network.bring_up("http://gateway.paycore.test")
    assert world.merchant.reconcile() == [
        (order["order_id"], "PAYING")
    ]  # it might still arrive: do not guess
    clock.advance(361)  # window (300) + clock-skew margin (60): now the gateway would refuse it as stale
    assert world.merchant.reconcile() == [(order["order_id"], "FAILED")]
    clock.advance(-361)
    assert (
        world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)["status"] == OrderStatus.PAID
    )


def test_the_notification_settles_an_order_whose_reply_was_lost(world):
    world.interpose(lambda network: LossyLink(network, lose=99))
    order = new_order(world, price=300)
    with pytest.raises(PaymentError):
        world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    report = world.notifier.deliver_due()
    assert len(report.delivered) == 1 and report.retrying == report.dead == ()
    assert world.merchant.get_order("alice", order["order_id"])["status"] == OrderStatus.PAID


def test_a_notification_endpoint_that_is_down_gets_retried_on_schedule_until_it_returns(world, clock):
    world.network.take_down(MERCHANT_URL)
    order = new_order(world, price=300)
    world.network.bring_up(MERCHANT_URL)
    world.interpose(lambda network: LossyLink(network, lose=99))
    with pytest.raises(PaymentError):
        world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    world.network.take_down(MERCHANT_URL)
    waited = 0
    for delay in RETRY_SCHEDULE[:4]:
        report = world.notifier.deliver_due()
        assert len(report.retrying) == 1 and report.delivered == report.dead == ()
        assert world.notifier.deliver_due() == type(report)()  # not due again before its delay
        clock.advance(delay)
        waited += delay
    assert waited == 15 + 15 + 30 + 180
    world.network.bring_up(MERCHANT_URL)
    report = world.notifier.deliver_due()
    assert len(report.delivered) == 1 and report.retrying == report.dead == ()
    assert world.merchant.get_order("alice", order["order_id"])["status"] == OrderStatus.PAID


def test_a_message_is_given_up_after_the_whole_schedule(world, clock):
    world.network.take_down(MERCHANT_URL)
    new_order(world)  # (the order is irrelevant; pay directly at the gateway)
    world.network.bring_up(MERCHANT_URL)
    order = new_order(world, price=300)
    world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    world.network.take_down(MERCHANT_URL)
    for delay in RETRY_SCHEDULE:
        report = world.notifier.deliver_due()
        assert len(report.retrying) == 1 and report.delivered == report.dead == ()
        clock.advance(delay)
    report = world.notifier.deliver_due()
    assert len(report.dead) == 1 and report.delivered == report.retrying == ()
    assert world.notifier.pending() == []


def test_undelivered_notifications_survive_a_gateway_restart(
    tmp_path, clock, merchant_key, gateway_key, gateway_encryption_key, stores
):
    data = tmp_path / "data"
    first = build_world(
        clock=clock,
        data_dir=data,
        merchant_key=merchant_key,
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
        stores=stores.open(),
    )
    first.interpose(lambda network: LossyLink(network, lose=99))
    order = new_order(first, price=300)
    with pytest.raises(PaymentError):
        first.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    first.close()  # the gateway stops with the notification undelivered
    second = build_world(
        clock=clock,
        data_dir=data,
        merchant_key=merchant_key,
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
        stores=stores.open(),
    )
    try:
        assert len(second.notifier.pending()) == 1
        report = second.notifier.deliver_due()
        assert len(report.delivered) == 1 and report.retrying == report.dead == ()
        assert second.merchant.get_order("alice", order["order_id"])["status"] == OrderStatus.PAID
        second.gateway.check_ledger()
        assert payer_balance(second) == 100_000_00 - 300  # the restart did not fund the payers twice
    finally:
        second.close()


class TimingOutLink:
    """Every request times out after 10 s of the fake clock; the network keeps each one, undelivered."""

    def __init__(self, clock):
        self.clock = clock
        self.held = []

    def request(self, method, url, headers, body=b""):
        from paycore.payment.protocol.wire import LinkError

        self.held.append((method, url, dict(headers), body))
        self.clock.advance(10)
        raise LinkError(f"{method} {url}: timed out")


def test_reconcile_waits_a_window_after_the_last_retry_not_the_first(world, clock):
    """Retries are signed at t0, t0+10, t0+20: the last stays acceptable to the gateway until t0+320."""
    link = TimingOutLink(clock)
    world.interpose(lambda network: link)
    order = new_order(world, price=300)
    t0 = clock.now()
    with pytest.raises(PaymentError):
        world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    assert [int(h["Paycore-Timestamp"]) - t0 for _, _, h, _ in link.held] == [0, 10, 20]
    world.interpose(lambda network: network)
    clock.set(t0 + 301)
    assert world.merchant.reconcile() == [(order["order_id"], "PAYING")]  # the last copy could still arrive
    method, url, headers, body = link.held[-1]
    late = world.network.request(method, url, headers, body)  # ... and it does
    assert late.status == 200
    report = world.notifier.deliver_due()
    assert len(report.delivered) == 1 and report.retrying == report.dead == ()
    assert world.merchant.get_order("alice", order["order_id"])["status"] == OrderStatus.PAID


def test_a_request_lost_for_good_fails_after_window_and_skew(world, clock):
    link = TimingOutLink(clock)
    world.interpose(lambda network: link)
    order = new_order(world, price=300)
    t0 = clock.now()
    with pytest.raises(PaymentError):
        world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    world.interpose(lambda network: network)
    clock.set(t0 + 20 + 300 + 60)
    assert world.merchant.reconcile() == [(order["order_id"], "PAYING")]
    clock.advance(1)
    assert world.merchant.reconcile() == [(order["order_id"], "FAILED")]


def test_a_success_for_an_order_no_longer_waiting_raises_an_alert(world):
    """A superseded attempt's success (signed by the gateway) changes nothing, but someone must refund."""
    import json

    order = new_order(world, price=300)
    from tests.payment.helpers import LOW_BALANCE_VISA

    failed = world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), LOW_BALANCE_VISA)
    assert failed["status"] == OrderStatus.FAILED
    world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)  # attempt 2 succeeds
    event = {
        "event_id": "evt_late_success",
        "type": "payment.succeeded",
        "created_at": 0,
        "data": {
            "payment_id": "pay_attempt_one",
            "merchant_id": MERCHANT_ID,
            "out_trade_no": failed["out_trade_no"],
            "status": "SUCCEEDED",
            "amount": {"value": 300, "currency": "CNY"},
            "refunded": 0,
            "payer": {"type": "card", "display": "400000******0002"},
            "failure_code": None,
            "created_at": 0,
        },
    }
    body = json.dumps(event).encode()
    headers = {
        "Content-Type": "application/json",
        **world.gateway.signer.sign_request(
            "POST", "/paycore/notify", body, timestamp=int(world.clock.now())
        ),
    }
    reply = world.network.request("POST", MERCHANT_URL + "/paycore/notify", headers, body)
    assert reply.status == 200  # acknowledged: retrying would not help
    assert world.merchant.get_order("alice", order["order_id"])["status"] == OrderStatus.PAID
    alert = world.merchant.db.query_one("SELECT message FROM alerts")
    assert "pay_attempt_one" in alert["message"] and "refund" in alert["message"]


def test_a_merchant_key_under_2048_bits_is_refused_at_registration(world):
    from paycore.errors import InvalidKey
    from tests.conftest import load_pinned_key

    with pytest.raises(InvalidKey, match="2048"):
        world.gateway.register_merchant(
            "M200002",
            "Tiny Keys Ltd",
            load_pinned_key(1024).public_key(),
            notify_origins=["https://tiny.example:443"],
        )
