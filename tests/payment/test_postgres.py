"""PostgreSQL storage itself: conflicts retried from the start, an unreachable server a clear 503."""

import socket

import pytest

from paycore.payment.errors import PaymentError
from paycore.payment.runtime.world import open_stores
from tests.payment.conftest import DATABASE_URL, NO_SERVER, drop_schemas

pytest.importorskip("psycopg")
from psycopg import errors

needs_server = pytest.mark.skipif(not DATABASE_URL, reason=NO_SERVER)


@pytest.fixture
def gateway_store():
    prefix = f"tpg{id(object())}"
    gateway, merchant = open_stores(None, DATABASE_URL, prefix=prefix)
    merchant.close()
    yield gateway
    gateway.close()
    drop_schemas(prefix)


@needs_server
def test_a_unit_of_work_is_run_again_after_a_serialization_failure(gateway_store):
    runs = []

    def work(unit):
        runs.append(1)
        unit.open_account("payer:retry:CNY", "payer", "CNY")
        if len(runs) < 3:
            raise errors.SerializationFailure("could not serialize access")
        return "done"

    assert gateway_store.run(work) == "done" and len(runs) == 3
    assert gateway_store.balance("payer:retry:CNY") == 0  # committed once, by the third run


@needs_server
def test_endless_conflicts_end_in_a_503_and_nothing_is_written(gateway_store):
    def work(unit):
        unit.open_account("payer:never:CNY", "payer", "CNY")
        raise errors.DeadlockDetected("deadlock detected")

    with pytest.raises(PaymentError) as refusal:
        gateway_store.run(work)
    assert (refusal.value.code, refusal.value.status) == ("STORAGE_UNAVAILABLE", 503)
    assert gateway_store.balance("payer:never:CNY") is None


@needs_server
def test_an_error_of_the_work_itself_is_not_retried_and_rolls_back(gateway_store):
    runs = []

    def work(unit):
        runs.append(1)
        unit.open_account("payer:once:CNY", "payer", "CNY")
        raise ValueError("a refusal of the service")

    with pytest.raises(ValueError):
        gateway_store.run(work)
    assert runs == [1] and gateway_store.balance("payer:once:CNY") is None


@needs_server
def test_rows_read_for_inspection_work_by_position_and_by_name(gateway_store):
    row = gateway_store.db.query_one("SELECT 1 AS one, 'x' AS letter WHERE 2 > ?", (1,))
    assert (row[0], row["letter"], dict(row)) == (1, "x", {"one": 1, "letter": "x"})


def test_a_server_that_cannot_be_reached_is_a_clear_503():
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(PaymentError) as refusal:
        open_stores(None, f"postgresql://nobody@127.0.0.1:{port}/none?connect_timeout=2")
    assert refusal.value.status == 503 and "cannot be reached" in refusal.value.message


def test_a_database_url_must_be_postgresql():
    with pytest.raises(ValueError, match="postgresql://"):
        open_stores(None, "mysql://127.0.0.1/paycore")


@needs_server
def test_a_worker_whose_lease_was_taken_over_records_nothing(gateway_store):
    """As on SQLite: after a lease expires and another worker takes the message, the first worker's
    late outcome changes nothing, before or after the holder's."""
    from paycore.payment.gateway.outbox import LEASE_SECONDS

    t0 = 1_764_201_600
    gateway_store.run(
        lambda unit: unit.enqueue(
            event_id="evt_1", merchant_id="M1", url="http://m.test/n", body=b"{}", now=t0
        )
    )
    (first,) = gateway_store.due_messages(t0, 10)
    assert gateway_store.due_messages(t0 + 1, 10) == []  # leased
    (second,) = gateway_store.due_messages(t0 + LEASE_SECONDS, 10)
    assert (first.lease, second.lease) == (t0 + LEASE_SECONDS, t0 + 2 * LEASE_SECONDS)
    late = dict(state="dead", attempts=1, result="unreachable", now=t0 + 61, retry_at=None, lease=first.lease)
    gateway_store.record_delivery("evt_1", **late)
    row = gateway_store.db.query_one("SELECT state, attempts, leased_until FROM outbox")
    assert tuple(row) == ("pending", 0, second.lease)
    gateway_store.record_delivery(
        "evt_1",
        state="delivered",
        attempts=1,
        result="HTTP 200",
        now=t0 + 62,
        retry_at=None,
        lease=second.lease,
    )
    gateway_store.record_delivery("evt_1", **late)
    row = gateway_store.db.query_one("SELECT state, attempts, last_result, leased_until FROM outbox")
    assert tuple(row) == ("delivered", 1, "HTTP 200", None)
