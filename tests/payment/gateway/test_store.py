"""The gateway's SQLite store alone, in memory: every method, the SQL it owns, and its units of work."""

import sqlite3

import pytest

from paycore import secure
from paycore.payment.gateway.idempotency import KeyRecord, StoredResponse
from paycore.payment.gateway.ledger import Account
from paycore.payment.gateway.outbox import LEASE_SECONDS, OutboxMessage
from paycore.payment.gateway.sqlite import SQLiteGatewayStore
from paycore.payment.gateway.store import (
    KEEP_DELIVERED_SECONDS,
    KEEP_IDEMPOTENCY_SECONDS,
    MerchantKeyRecord,
    PayerRecord,
    PaymentRecord,
    new_id,
)
from paycore.payment.money import Money
from tests.payment.helpers import rows

T0 = 1_764_201_600.0


def payment(out_trade_no="T-1", *, merchant_id="M100001", payment_id=None, amount=1000, status="SUCCEEDED"):
    return PaymentRecord(
        payment_id=payment_id or f"pay_{out_trade_no}_{merchant_id}",
        merchant_id=merchant_id,
        out_trade_no=out_trade_no,
        status=status,
        currency="CNY",
        amount=amount,
        refunded=0,
        payer_type="card",
        payer_display="411111******1111",
        payer_account="payer:tok:CNY",
        failure_code=None if status == "SUCCEEDED" else "CARD_DECLINED",
        notify_url="http://merchant.test/paycore/notify",
        created_at=int(T0),
    )


def test_ids_are_random_and_prefixed():
    ids = {new_id("pay") for _ in range(100)}
    assert len(ids) == 100 and all(i.startswith("pay_") and len(i) == 28 for i in ids)


def test_a_unit_of_work_commits_all_or_nothing(store):
    assert store.run(lambda unit: unit.open_account("payer:a:CNY", "payer", "CNY") or "done") == "done"

    def fails(unit):
        unit.open_account("payer:b:CNY", "payer", "CNY")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.run(fails)
    assert store.balance("payer:a:CNY") == 0 and store.balance("payer:b:CNY") is None


def test_durable_and_relaxed_units_are_counted(store):
    before = dict(store.db.commits)
    store.run(lambda unit: None)
    store.run(lambda unit: None, durable=False)
    assert store.db.commits == {"durable": before["durable"] + 1, "relaxed": before["relaxed"] + 1}


def test_accounts_and_transfers(store):
    def work(unit):
        unit.open_account("payer:a:CNY", "payer", "CNY")
        unit.open_account("merchant:M:CNY", "merchant", "CNY")
        unit.open_account("external:funding:CNY", "external", "CNY")
        unit.write_transfer(
            transfer_id="f1",
            kind="funding",
            reference="payer:a:CNY",
            source="external:funding:CNY",
            destination="payer:a:CNY",
            money=Money(500, "CNY"),
            now=T0,
        )
        unit.write_transfer(
            transfer_id="p1",
            kind="payment",
            reference="pay_1",
            source="payer:a:CNY",
            destination="merchant:M:CNY",
            money=Money(200, "CNY"),
            now=T0,
        )
        return unit.account("payer:a:CNY"), unit.account("nobody")

    payer, nobody = store.run(work)
    assert payer == Account("payer:a:CNY", "payer", "CNY", 300) and nobody is None
    assert (store.balance("merchant:M:CNY"), store.balance("external:funding:CNY")) == (200, -500)
    assert rows(store.db, "transfers") == 2 and rows(store.db, "entries") == 4
    report = store.ledger_report()
    assert report.unbalanced_transfers == report.drifted_accounts == report.negative_accounts == []
    assert report.totals == {"CNY": 0}


def test_idempotency_records(store):
    def work(unit):
        assert unit.idempotency_record("M", "k1") is None
        unit.insert_claim("M", "k1", "fp", T0)
        unit.insert_claim("M", "k2", "fp", T0)
        unit.retake_claim("M", "k1", T0 + 60)
        unit.complete_claim("M", "k2", 409, b'{"error":{}}')
        return unit.idempotency_record("M", "k1"), unit.idempotency_record("M", "k2")

    in_progress, done = store.run(work)
    assert in_progress == KeyRecord("fp", False, T0 + 60, None)
    assert done == KeyRecord("fp", True, T0, StoredResponse(409, b'{"error":{}}'))
    with pytest.raises(sqlite3.IntegrityError):  # one claim per key and scope
        store.run(lambda unit: unit.insert_claim("M", "k1", "other", T0))
    store.run(lambda unit: unit.insert_claim("N", "k1", "other", T0))  # another scope


def test_release_forgets_only_unfinished_claims(store):
    def work(unit):
        unit.insert_claim("M", "open", "fp", T0)
        unit.insert_claim("M", "done", "fp", T0)
        unit.complete_claim("M", "done", 200, b"{}")
        unit.release_claim("M", "open")
        unit.release_claim("M", "done")
        return unit.idempotency_record("M", "open"), unit.idempotency_record("M", "done")

    released, kept = store.run(work)
    assert released is None and kept.done


def test_merchant_keys_are_saved_and_replaced(store, merchant_key):
    pem = secure.public_key_to_pem(merchant_key.public_key())
    record = MerchantKeyRecord("kid", "M100001", "Demo Shop", pem, "RSA-PSS-SHA256")
    store.run(lambda unit: unit.save_merchant_key(record))
    assert store.merchant_key("kid") == record and store.merchant_key("other") is None
    renamed = MerchantKeyRecord("kid", "M100001", "Renamed", pem, "RSA-PKCS1v15-SHA256")
    store.run(lambda unit: unit.save_merchant_key(renamed))
    assert store.merchant_key("kid") == renamed and rows(store.db, "merchant_keys") == 1
    assert isinstance(store.merchant_key("kid").public_key_pem, bytes)


def test_payer_methods(store):
    card = PayerRecord("tok", "card", "411111******1111", "payer:tok:CNY", "c" * 64)
    wallet = PayerRecord("W-a", "wallet", "W-***a", "payer:W-a:CNY")

    def work(unit):
        unit.open_account("payer:tok:CNY", "payer", "CNY")
        unit.open_account("payer:W-a:CNY", "payer", "CNY")
        unit.add_payer_method(card)
        unit.add_payer_method(wallet)
        return unit.payer_method("tok"), unit.payer_method("W-a"), unit.payer_method("nobody")

    assert store.run(work) == (card, wallet, None)  # a card keeps its CVV check, a wallet has none
    assert wallet.cvv_check is None
    with pytest.raises(sqlite3.IntegrityError):  # the account must exist
        store.run(lambda unit: unit.add_payer_method(PayerRecord("w", "wallet", "W-x", "payer:none:CNY")))
    with pytest.raises(sqlite3.IntegrityError):  # a method is known once
        store.run(lambda unit: unit.add_payer_method(card))


def test_payments_are_unique_per_merchant_and_found_by_their_number(store):
    first = payment("T-1")
    store.run(lambda unit: unit.insert_payment(first))
    assert store.find_payment("M100001", "T-1") == first
    assert store.run(lambda unit: unit.find_payment("M100001", "T-1")) == first
    assert store.find_payment("M200002", "T-1") is None and store.find_payment("M100001", "T-2") is None
    with pytest.raises(sqlite3.IntegrityError):
        store.run(lambda unit: unit.insert_payment(payment("T-1", payment_id="pay_again")))
    store.run(lambda unit: unit.insert_payment(payment("T-1", merchant_id="M200002")))
    assert first.resource()["amount"] == {"value": 1000, "currency": "CNY"}


def test_refunds_add_up_never_beyond_the_amount(store):
    store.run(lambda unit: unit.insert_payment(payment("T-1", payment_id="pay_1")))

    def refund(number, amount):
        def work(unit):
            unit.add_refunded("pay_1", amount)
            unit.insert_refund(
                refund_id=f"ref_{number}",
                merchant_id="M100001",
                out_refund_no=number,
                payment_id="pay_1",
                amount=amount,
                now=int(T0),
            )

        store.run(work)

    refund("R-1", 300)
    refund("R-2", 700)
    assert store.find_payment("M100001", "T-1").refunded == 1000
    with pytest.raises(sqlite3.IntegrityError):
        refund("R-3", 1)  # refunded <= amount
    with pytest.raises(sqlite3.IntegrityError):
        store.run(
            lambda unit: unit.insert_refund(
                refund_id="ref_x",
                merchant_id="M100001",
                out_refund_no="R-1",
                payment_id="pay_1",
                amount=1,
                now=0,
            )
        )  # a refund number is used once per merchant
    used = store.run(
        lambda unit: (
            unit.refund_number_used("M100001", "R-1"),
            unit.refund_number_used("M100001", "R-9"),
            unit.refund_number_used("M200002", "R-1"),
        )
    )
    assert used == (True, False, False)
    assert store.find_payment("M100001", "T-1").refunded == 1000


def enqueue(store, event_id, now, url="http://m.test/n"):
    store.run(
        lambda unit: unit.enqueue(event_id=event_id, merchant_id="M100001", url=url, body=b"{}", now=now)
    )


def test_the_outbox_leases_due_pending_messages_oldest_first(store):
    enqueue(store, "evt_b", T0 + 2)
    enqueue(store, "evt_a", T0 + 1)
    enqueue(store, "evt_later", T0 + 100)
    assert store.due_messages(T0, 10) == []  # none is due yet
    assert store.due_messages(T0 + 2, 1) == [
        OutboxMessage("evt_a", "http://m.test/n", b"{}", 0, "paycore/1", "M100001", T0 + 2 + LEASE_SECONDS)
    ]
    assert [m.event_id for m in store.due_messages(T0 + 2, 10)] == ["evt_b"]  # evt_a is leased
    assert store.due_messages(T0 + 2 + LEASE_SECONDS - 1, 10) == []  # both are leased ...
    taken_over = store.due_messages(T0 + 2 + LEASE_SECONDS, 10)  # ... until their leases expire
    assert [m.event_id for m in taken_over] == ["evt_a", "evt_b"]
    assert [m.event_id for m in store.due_messages(T0 + 100, 10)] == ["evt_later"]
    leases = {row["event_id"]: row["leased_until"] for row in store.db.query("SELECT * FROM outbox")}
    assert leases == {
        "evt_a": T0 + 2 + 2 * LEASE_SECONDS,
        "evt_b": T0 + 2 + 2 * LEASE_SECONDS,
        "evt_later": T0 + 100 + LEASE_SECONDS,
    }


def test_delivery_outcomes_are_recorded_by_state(store):
    for event_id in ("evt_ok", "evt_retry", "evt_dead"):
        enqueue(store, event_id, T0)
    with store.db.transaction() as connection:  # tried twice and fifteen times before
        connection.execute("UPDATE outbox SET attempts = 2 WHERE event_id = 'evt_retry'")
        connection.execute("UPDATE outbox SET attempts = 15 WHERE event_id = 'evt_dead'")
    assert len(store.due_messages(T0, 10)) == 3  # leased, as a notifier takes them
    store.record_delivery(
        "evt_ok", state="delivered", attempts=1, result="HTTP 200", now=T0 + 1, retry_at=None
    )
    store.record_delivery(
        "evt_retry", state="pending", attempts=3, result="HTTP 500", now=T0 + 1, retry_at=T0 + 31
    )
    store.record_delivery("evt_dead", state="dead", attempts=16, result="HTTP 500", now=T0 + 1, retry_at=None)
    outbox = {row["event_id"]: dict(row) for row in store.db.query("SELECT * FROM outbox")}
    assert (outbox["evt_ok"]["state"], outbox["evt_ok"]["delivered_at"], outbox["evt_ok"]["attempts"]) == (
        "delivered",
        T0 + 1,
        1,
    )
    assert (
        outbox["evt_retry"]["state"],
        outbox["evt_retry"]["next_attempt_at"],
        outbox["evt_retry"]["attempts"],
    ) == (
        "pending",
        T0 + 31,
        3,
    )
    assert (
        outbox["evt_dead"]["state"],
        outbox["evt_dead"]["attempts"],
        outbox["evt_dead"]["delivered_at"],
    ) == (
        "dead",
        16,
        None,
    )
    assert store.due_messages(T0 + 30, 10) == []  # the outcome freed it from its lease, due at T0 + 31
    assert [m.event_id for m in store.due_messages(T0 + 31, 10)] == ["evt_retry"]
    pending = store.pending_messages()
    assert pending == [
        {
            "event_id": "evt_retry",
            "url": "http://m.test/n",
            "attempts": 3,
            "next_attempt_at": T0 + 31,
            "last_result": "HTTP 500",
        }
    ]


def test_an_outcome_is_recorded_only_for_the_attempt_that_was_leased(store):
    """Two notifiers may hold one attempt (the first one's lease expired under it): whichever reports
    first is recorded; the other's outcome of that attempt, or one of any attempt but the next,
    changes nothing."""
    enqueue(store, "evt_1", T0)
    (first,) = store.due_messages(T0, 10)
    (again,) = store.due_messages(T0 + LEASE_SECONDS, 10)  # the first notifier's lease expired
    assert first.attempts == again.attempts == 0
    store.record_delivery(
        "evt_1", state="pending", attempts=1, result="HTTP 500", now=T0 + 61, retry_at=T0 + 76
    )
    for late in (
        dict(state="delivered", attempts=1, result="HTTP 200", retry_at=None),  # the same attempt again
        dict(state="dead", attempts=3, result="timed out", retry_at=None),  # not the next attempt
    ):
        store.record_delivery("evt_1", now=T0 + 62, **late)
    row = store.db.query_one("SELECT state, attempts, last_result, next_attempt_at, leased_until FROM outbox")
    assert tuple(row) == ("pending", 1, "HTTP 500", T0 + 76, None)
    store.record_delivery(
        "evt_1", state="delivered", attempts=2, result="HTTP 200", now=T0 + 77, retry_at=None
    )
    store.record_delivery(  # once delivered, nothing changes it
        "evt_1", state="dead", attempts=3, result="HTTP 500", now=T0 + 78, retry_at=None
    )
    row = store.db.query_one("SELECT state, attempts, last_result, delivered_at FROM outbox")
    assert tuple(row) == ("delivered", 2, "HTTP 200", T0 + 77)


def test_a_notifier_whose_lease_was_taken_over_records_nothing(store):
    """The first notifier's lease expires mid-delivery and a second one takes the message: the late
    first report, in either order, cannot overwrite or pre-empt the holder's."""
    enqueue(store, "evt_1", T0)
    (first,) = store.due_messages(T0, 10)
    (second,) = store.due_messages(T0 + LEASE_SECONDS, 10)
    assert (first.lease, second.lease) == (T0 + LEASE_SECONDS, T0 + 2 * LEASE_SECONDS)
    outcome = dict(state="dead", attempts=1, result="unreachable", now=T0 + 61, retry_at=None)
    store.record_delivery("evt_1", **outcome, lease=first.lease)  # the late first notifier
    row = store.db.query_one("SELECT state, attempts, leased_until FROM outbox")
    assert tuple(row) == ("pending", 0, second.lease)  # untouched: the second still holds it
    store.record_delivery(
        "evt_1",
        state="delivered",
        attempts=1,
        result="HTTP 200",
        now=T0 + 62,
        retry_at=None,
        lease=second.lease,
    )
    store.record_delivery("evt_1", **outcome, lease=first.lease)  # and after it, still nothing
    row = store.db.query_one("SELECT state, attempts, last_result, leased_until FROM outbox")
    assert tuple(row) == ("delivered", 1, "HTTP 200", None)


def test_a_nonce_is_remembered_once_until_it_expires(store):
    def remember(key_id, nonce, expires_at, now):
        return store.run(lambda unit: unit.remember_nonce(key_id, nonce, expires_at, now), durable=False)

    assert remember("k", "n1", T0 + 300, T0) is True
    assert remember("k", "n1", T0 + 300, T0 + 10) is False
    assert remember("other-key", "n1", T0 + 300, T0) is True
    assert remember("k", "n1", T0 + 600, T0 + 300) is False  # expires_at is not yet *before* now
    assert remember("k", "n2", T0 + 700, T0 + 301) is True
    assert rows(store.db, "seen_nonces") == 3  # a request deletes no expired nonce: housekeeping does
    assert remember("k", "n1", T0 + 900, T0 + 302) is True  # n1 has expired: taken over in place
    assert remember("k", "n1", T0 + 900, T0 + 303) is False  # ... and live again until T0 + 900
    assert rows(store.db, "seen_nonces") == 3


def test_housekeeping_deletes_expired_nonces_in_batches(store):
    def remember(nonce, expires_at):
        return store.run(lambda unit: unit.remember_nonce("k", nonce, expires_at, T0), durable=False)

    for number in range(5):
        remember(f"n{number}", T0 + 300 + number)  # n0 expires at T0 + 300, n4 at T0 + 304
    assert store.prune(T0 + 300)["seen_nonces"] == 0  # n0's expires_at is not yet *before* now
    assert store.prune(T0 + 303, batch=2)["seen_nonces"] == 2  # n0, n1, n2 expired; a batch of two
    assert store.prune(T0 + 303)["seen_nonces"] == 1 and rows(store.db, "seen_nonces") == 2
    assert remember("n0", T0 + 900) is True  # a pruned nonce is simply new again
    assert store.prune(T0 + 304) == {"seen_nonces": 1, "idempotency_keys": 0, "outbox": 0}


def test_housekeeping_deletes_old_idempotency_records_and_delivered_notifications_only(store):
    def work(unit):
        unit.insert_claim("M", "old", "fp", T0)
        unit.insert_claim("M", "new", "fp", T0 + 10)
        unit.complete_claim("M", "old", 200, b"{}")
        unit.insert_payment(payment("T-1"))

    store.run(work)
    for event_id in ("evt_delivered", "evt_pending", "evt_dead"):
        enqueue(store, event_id, T0)
    store.due_messages(T0, 10)
    store.record_delivery(
        "evt_delivered", state="delivered", attempts=1, result="HTTP 200", now=T0, retry_at=None
    )
    store.record_delivery("evt_dead", state="dead", attempts=1, result="no route", now=T0, retry_at=None)
    day = T0 + KEEP_IDEMPOTENCY_SECONDS
    assert store.prune(day) == {"seen_nonces": 0, "idempotency_keys": 0, "outbox": 0}  # kept a whole day
    assert store.prune(day + 1) == {"seen_nonces": 0, "idempotency_keys": 1, "outbox": 0}
    assert store.run(lambda unit: unit.idempotency_record("M", "new")) is not None
    week = T0 + KEEP_DELIVERED_SECONDS
    assert store.prune(week) == {"seen_nonces": 0, "idempotency_keys": 1, "outbox": 0}  # "new" too now
    assert store.prune(week + 1)["outbox"] == 1
    left = [row["event_id"] for row in store.db.query("SELECT event_id FROM outbox ORDER BY event_id")]
    assert left == ["evt_dead", "evt_pending"]  # undelivered messages are never pruned
    assert store.prune(T0 + 10**9)["outbox"] == 0
    assert store.find_payment("M100001", "T-1") == payment("T-1")  # nor is a payment


def test_a_file_store_keeps_everything_across_a_reopening(tmp_path):
    first = SQLiteGatewayStore(tmp_path / "gateway.sqlite3")
    first.run(lambda unit: unit.insert_payment(payment("T-1")))
    first.close()
    second = SQLiteGatewayStore(tmp_path / "gateway.sqlite3")
    assert second.find_payment("M100001", "T-1") == payment("T-1")
    second.close()


def test_the_store_is_in_memory_unless_given_a_path():
    store = SQLiteGatewayStore()
    assert store.db.path == ":memory:"
    store.close()
