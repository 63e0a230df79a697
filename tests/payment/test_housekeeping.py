"""Several notifiers on one outbox (leases), and housekeeping that keeps the tables from growing for ever."""

from paycore.payment import Money, OrderStatus
from paycore.payment.gateway.outbox import LEASE_SECONDS
from paycore.payment.gateway.sqlite import SQLiteGatewayStore
from paycore.payment.gateway.store import KEEP_DELIVERED_SECONDS, KEEP_IDEMPOTENCY_SECONDS
from paycore.payment.runtime.world import MERCHANT_URL
from tests.payment.helpers import VISA, new_order, payment_body, send, signed_request


def second_gateway_store(world, stores):
    """Another handle on the same gateway tables, as a second worker process would open them."""
    reopened = stores.open()
    return reopened[0] if reopened else SQLiteGatewayStore(world.gateway.db.path)


def paid_with_notification_waiting(world):
    world.network.take_down(MERCHANT_URL)  # (so the payment's notification stays in the outbox)
    order = new_order(world, price=300)
    world.network.bring_up(MERCHANT_URL)
    world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    return order["order_id"]


def test_a_leased_message_is_handed_to_one_notifier_until_its_lease_expires(file_world, stores, clock):
    paid_with_notification_waiting(file_world)
    first, second = file_world.gateway.store, second_gateway_store(file_world, stores)
    try:
        now = clock.now()
        taken = first.due_messages(now, 10)
        assert len(taken) == 1
        assert second.due_messages(now, 10) == [] and first.due_messages(now, 10) == []
        assert second.due_messages(now + LEASE_SECONDS - 1, 10) == []  # the lease holds ...
        taken_over = second.due_messages(now + LEASE_SECONDS, 10)  # ... until it expires (a crash)
        assert [message.event_id for message in taken_over] == [taken[0].event_id]
    finally:
        second.close()


def test_an_outcome_from_a_lease_taken_over_meanwhile_changes_nothing(file_world, stores, clock):
    paid_with_notification_waiting(file_world)
    first, second = file_world.gateway.store, second_gateway_store(file_world, stores)
    try:
        now = clock.now()
        (message,) = first.due_messages(now, 10)
        (again,) = second.due_messages(now + LEASE_SECONDS, 10)
        second.record_delivery(
            again.event_id, state="delivered", attempts=1, result="HTTP 200", now=now + 61, retry_at=None
        )
        first.record_delivery(  # the slow first worker reports its (older) failure late
            message.event_id, state="pending", attempts=1, result="timed out", now=now + 62, retry_at=now + 77
        )
        row = file_world.gateway.db.query_one("SELECT state, attempts, last_result FROM outbox")
        assert (row["state"], row["attempts"], row["last_result"]) == ("delivered", 1, "HTTP 200")
    finally:
        second.close()


def test_a_failed_attempt_frees_the_message_for_its_next_turn(world, clock):
    order_id = paid_with_notification_waiting(world)
    world.network.take_down(MERCHANT_URL)
    assert len(world.notifier.deliver_due().retrying) == 1
    world.network.bring_up(MERCHANT_URL)
    clock.advance(15)  # the first retry is due after 15 s, well inside a lease
    assert len(world.notifier.deliver_due().delivered) == 1
    assert world.merchant.get_order("alice", order_id)["status"] == OrderStatus.PAID


def count(db, table):
    return db.query_one(f"SELECT COUNT(*) AS n FROM {table}")["n"]


def test_housekeeping_deletes_what_expired_and_keeps_the_money(world, clock):
    order = new_order(world, price=300)
    world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), VISA)
    world.notifier.deliver_due()
    gateway, merchant = world.gateway.store, world.merchant.store
    payments, entries = count(world.gateway.db, "payments"), count(world.gateway.db, "entries")
    assert gateway.prune(clock.now()) == {"seen_nonces": 0, "idempotency_keys": 0, "outbox": 0}
    assert merchant.prune(clock.now()) == {"seen_nonces": 0}
    day_later = clock.now() + KEEP_IDEMPOTENCY_SECONDS + 1
    assert gateway.prune(day_later) == {"seen_nonces": 1, "idempotency_keys": 1, "outbox": 0}
    assert merchant.prune(day_later) == {"seen_nonces": 1}
    assert gateway.prune(clock.now() + KEEP_DELIVERED_SECONDS + 1)["outbox"] == 1
    assert count(world.gateway.db, "payments") == payments and count(world.gateway.db, "entries") == entries
    assert world.gateway.check_ledger() == {"CNY": 0, "USD": 0}


def test_a_nonce_is_refused_inside_its_window_even_before_housekeeping_runs(world, clock):
    body = payment_body(world, "T-house-1")
    headers = signed_request(world, body)
    assert send(world, headers, body).status == 200
    replay = send(world, headers, body)
    assert replay.status == 401 and b"REPLAYED_NONCE" in replay.body


def test_an_expired_nonce_left_in_the_table_does_not_block_its_reuse(world, clock):
    from paycore.payment.gateway.store import GatewayUnitOfWork

    def remember(unit: GatewayUnitOfWork, expires_at: float, now: float) -> bool:
        return unit.remember_nonce("key-1", "nonce-1", expires_at, now)

    assert world.gateway.store.run(lambda unit: remember(unit, 1000.0, 500.0))
    assert not world.gateway.store.run(lambda unit: remember(unit, 1200.0, 700.0))  # live: a replay
    assert world.gateway.store.run(lambda unit: remember(unit, 1600.0, 1001.0))  # expired: taken over
    assert count(world.gateway.db, "seen_nonces") == 1
