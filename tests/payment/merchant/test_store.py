"""The merchant's SQLite store alone, in memory: every method, ``move`` as compare-and-set, expiry, nonces."""

import sqlite3

import pytest

from paycore.payment.merchant.sqlite import SQLiteMerchantStore
from paycore.payment.orders import OrderStatus
from tests.payment.builders import T0, order_record, stored
from tests.payment.helpers import rows

S = OrderStatus


def in_unit(store, call):
    return store.run(call)


def test_an_order_is_stored_as_given_and_found_by_id_and_by_its_current_attempt(store):
    order = stored(store, order_record("ord_a", status=S.PAYING, attempts=2, out_trade_no="ord_a-2"))
    assert store.order("ord_a") == order and in_unit(store, lambda unit: unit.order("ord_a")) == order
    assert in_unit(store, lambda unit: unit.order_with_trade("ord_a-2")) == order
    assert in_unit(store, lambda unit: unit.order_with_trade("ord_a-1")) is None
    assert store.order("ord_none") is None and in_unit(store, lambda unit: unit.order("ord_none")) is None
    assert isinstance(store.order("ord_a").status, OrderStatus)


def test_an_out_trade_no_belongs_to_one_order(store):
    stored(store, order_record("ord_a", status=S.PAYING, out_trade_no="X-1"))
    with pytest.raises(sqlite3.IntegrityError):
        stored(store, order_record("ord_b", status=S.PAYING, out_trade_no="X-1"))


def test_a_unit_of_work_rolls_back_when_it_raises(store):
    def work(unit):
        unit.insert_order(order_record("ord_a"))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.run(work)
    assert store.order("ord_a") is None


def test_move_sets_the_status_and_the_columns_named(store):
    order = stored(store, order_record("ord_a"))
    moved = in_unit(
        store,
        lambda unit: unit.move(order, S.PAYING, attempts=1, out_trade_no="ord_a-1", paying_since=T0 + 5),
    )
    assert moved is True
    now = store.order("ord_a")
    assert (now.status, now.attempts, now.out_trade_no, now.paying_since) == (S.PAYING, 1, "ord_a-1", T0 + 5)
    assert now.amount == order.amount and now.payment_id is None


def test_move_is_compare_and_set_on_the_status_read(store):
    order = stored(store, order_record("ord_a"))
    assert in_unit(store, lambda unit: unit.move(order, S.CLOSED))
    # a second mover still holding the CREATED order loses, and writes nothing
    assert in_unit(store, lambda unit: unit.move(order, S.PAYING, out_trade_no="ord_a-1")) is False
    assert store.order("ord_a").status is S.CLOSED and store.order("ord_a").out_trade_no is None


def test_move_touches_only_its_own_order(store):
    first, second = stored(store, order_record("ord_a")), stored(store, order_record("ord_b"))
    in_unit(store, lambda unit: unit.move(first, S.CLOSED))
    assert store.order("ord_b") == second


def test_move_refuses_columns_a_move_may_not_set(store):
    order = stored(store, order_record("ord_a"))
    with pytest.raises(ValueError, match=r"a move cannot set \['amount', 'user_id'\]"):
        in_unit(store, lambda unit: unit.move(order, S.PAID, amount=1, user_id="mallory"))
    assert store.order("ord_a") == order


def test_paying_since_only_moves_forward(store):
    stored(store, order_record("ord_a", status=S.PAYING, paying_since=T0 + 10))
    in_unit(store, lambda unit: unit.note_paying_since("ord_a", T0 + 5))
    assert store.order("ord_a").paying_since == T0 + 10
    in_unit(store, lambda unit: unit.note_paying_since("ord_a", T0 + 20))
    assert store.order("ord_a").paying_since == T0 + 20


def test_refund_numbers_are_counted(store):
    stored(store, order_record("ord_a", status=S.PAID))
    in_unit(store, lambda unit: unit.count_refund("ord_a", 3))
    assert store.order("ord_a").refunds == 3


def test_close_expired_closes_unpaid_orders_past_their_expiry(store):
    expires = T0 + 900
    for order_id, status in (
        ("ord_new", S.CREATED),
        ("ord_failed", S.FAILED),
        ("ord_paying", S.PAYING),
        ("ord_paid", S.PAID),
    ):
        stored(store, order_record(order_id, status=status))
    stored(store, order_record("ord_later", expires_at=expires + 1))
    assert in_unit(store, lambda unit: unit.close_expired(expires - 1)) == 0
    assert in_unit(store, lambda unit: unit.close_expired(expires)) == 2  # expires_at <= now
    statuses = {
        order_id: store.order(order_id).status
        for order_id in ("ord_new", "ord_failed", "ord_paying", "ord_paid", "ord_later")
    }
    assert statuses == {
        "ord_new": S.CLOSED,
        "ord_failed": S.CLOSED,
        "ord_paying": S.PAYING,
        "ord_paid": S.PAID,
        "ord_later": S.CREATED,
    }


def test_close_expired_may_close_one_order_only(store):
    stored(store, order_record("ord_a"))
    stored(store, order_record("ord_b"))
    assert in_unit(store, lambda unit: unit.close_expired(T0 + 900, "ord_b")) == 1
    assert (store.order("ord_a").status, store.order("ord_b").status) == (S.CREATED, S.CLOSED)
    assert in_unit(store, lambda unit: unit.close_expired(T0 + 900, "ord_b")) == 0


def test_processed_events_are_remembered_once(store):
    assert in_unit(store, lambda unit: unit.event_seen("evt_1")) is False
    in_unit(store, lambda unit: unit.record_event("evt_1", "payment.succeeded", T0 + 0.7))
    in_unit(store, lambda unit: unit.record_event("evt_1", "payment.succeeded", T0 + 9))  # ignored
    assert in_unit(store, lambda unit: unit.event_seen("evt_1")) is True
    assert [tuple(r) for r in store.db.query("SELECT * FROM processed_events")] == [
        ("evt_1", "payment.succeeded", T0)
    ]


def test_alerts_are_kept_in_order(store):
    in_unit(store, lambda unit: unit.record_alert("ord_a", "first", T0 + 0.5))
    in_unit(store, lambda unit: unit.record_alert(None, "second", T0 + 1))
    assert store.alerts() == [
        {"alert_id": 1, "order_id": "ord_a", "message": "first", "created_at": T0},
        {"alert_id": 2, "order_id": None, "message": "second", "created_at": T0 + 1},
    ]


def test_paying_orders_are_those_whose_last_request_is_old_enough(store):
    stored(store, order_record("ord_old", status=S.PAYING, paying_since=T0))
    stored(store, order_record("ord_new", status=S.PAYING, paying_since=T0 + 60))
    stored(store, order_record("ord_paid", status=S.PAID, paying_since=T0))
    assert store.paying_orders(T0 - 1) == []
    assert store.paying_orders(T0) == ["ord_old"]
    assert sorted(store.paying_orders(T0 + 60)) == ["ord_new", "ord_old"]


def test_nonces_are_remembered_once_until_they_expire(store):
    def remember(nonce, expires_at, now):
        return in_unit(store, lambda unit: unit.remember_nonce("gateway-key", nonce, expires_at, now))

    assert remember("n1", T0 + 300, T0) and not remember("n1", T0 + 300, T0 + 300)
    assert remember("n2", T0 + 601, T0 + 301) and rows(store.db, "seen_nonces") == 2  # n1 left in place
    assert remember("n1", T0 + 700, T0 + 400)  # n1 expired: taken over
    assert not remember("n1", T0 + 700, T0 + 401) and rows(store.db, "seen_nonces") == 2


def test_housekeeping_deletes_the_nonces_whose_window_has_passed_in_batches(store):
    order = stored(store, order_record("ord_a", status=S.PAID))
    for number in range(4):
        in_unit(store, lambda unit, n=number: unit.remember_nonce("gateway-key", f"n{n}", T0 + 300 + n, T0))
    assert store.prune(T0 + 300) == {"seen_nonces": 0}  # n0's expires_at is not yet *before* now
    assert store.prune(T0 + 303, batch=2) == {"seen_nonces": 2}  # n0, n1 and n2 have expired
    assert store.prune(T0 + 303) == {"seen_nonces": 1} and rows(store.db, "seen_nonces") == 1
    assert store.prune(T0 + 10**9) == {"seen_nonces": 1} and rows(store.db, "seen_nonces") == 0
    assert store.order("ord_a") == order  # nothing but nonces


def test_a_file_store_keeps_its_orders(tmp_path):
    first = SQLiteMerchantStore(tmp_path / "merchant.sqlite3")
    order = stored(first, order_record("ord_a"))
    first.close()
    second = SQLiteMerchantStore(tmp_path / "merchant.sqlite3")
    assert second.order("ord_a") == order
    second.close()


def test_the_store_is_in_memory_unless_given_a_path():
    store = SQLiteMerchantStore()
    assert store.db.path == ":memory:"
    store.close()


def test_a_unit_of_work_is_durable_unless_told_otherwise(tmp_path):
    store = SQLiteMerchantStore(tmp_path / "merchant.sqlite3")
    store.run(lambda unit: None)
    store.run(lambda unit: None, durable=False)
    assert store.db.commits == {"durable": 1, "relaxed": 1}
    store.close()
