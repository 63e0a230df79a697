"""The outbox's SQL on SQLite: leased due messages, delivery outcomes, the dead-letter queue.

A part of :class:`~paycore.payment.gateway.sqlite.SQLiteGatewayStore` (an
:class:`~paycore.payment.gateway.outbox.Mailroom`); messages are queued inside a payment's own unit of
work, by :meth:`~paycore.payment.gateway.sqlite.SQLiteGatewayTransaction.enqueue`.

Several gateway processes may share one SQLite file (``paycore serve --workers``), each with a
notifier: a notifier *leases* the messages it takes (``leased_until``, inside one write
transaction), so the others skip them until the lease expires, and an outcome is recorded only by
the notifier that still holds the lease (``leased_until`` is still the one it set) for the attempt
it leased (the ``attempts`` count must still be the one it read).
"""

from __future__ import annotations

from paycore.payment.gateway.outbox import LEASE_SECONDS, OutboxMessage
from paycore.payment.gateway.store import KEEP_DELIVERED_SECONDS, KEEP_IDEMPOTENCY_SECONDS
from paycore.payment.storage import Database

PRUNE_BATCH = 5000
_PRUNED = (
    ("seen_nonces", "expires_at < ?", 0),
    ("idempotency_keys", "claimed_at < ?", KEEP_IDEMPOTENCY_SECONDS),
    ("outbox", "state = 'delivered' AND delivered_at < ?", KEEP_DELIVERED_SECONDS),
)
"""What housekeeping deletes: (table, condition on a cut-off time, how long before now the cut-off lies)."""


class SQLiteMailroom:
    """What the notifier and the operator need of the ``outbox`` table."""

    db: Database

    def due_messages(self, now: float, limit: int) -> list[OutboxMessage]:
        """Lease up to ``limit`` due messages that no other notifier holds, oldest first."""
        with self.db.transaction(durable=False) as connection:
            rows = connection.execute(
                "SELECT event_id, url, body, attempts, format, merchant_id FROM outbox "
                "WHERE state = 'pending' AND next_attempt_at <= ? "
                "AND (leased_until IS NULL OR leased_until <= ?) "
                "ORDER BY next_attempt_at LIMIT ?",
                (now, now, limit),
            ).fetchall()
            lease = now + LEASE_SECONDS
            connection.executemany(
                "UPDATE outbox SET leased_until = ? WHERE event_id = ?",
                [(lease, row["event_id"]) for row in rows],
            )
        return [
            OutboxMessage(
                row["event_id"],
                row["url"],
                bytes(row["body"]),
                row["attempts"],
                row["format"],
                row["merchant_id"],
                lease,
            )
            for row in rows
        ]

    def record_delivery(
        self,
        event_id: str,
        *,
        state: str,
        attempts: int,
        result: str,
        now: float,
        retry_at: float | None,
        lease: float | None = None,
    ) -> None:
        """The outcome of one attempt; not flushed to disk (if lost, the merchant dedupes a re-delivery).

        With ``lease`` (what :meth:`due_messages` handed out), only while that lease is the message's
        own: a notifier whose lease expired and was taken over records nothing.
        """
        held, held_values = ("", ()) if lease is None else (" AND leased_until = ?", (lease,))
        if state == "delivered":
            assignment, values = "state = 'delivered', delivered_at = ?", (now,)
        elif state == "dead":
            assignment, values = "state = 'dead'", ()
        else:
            assignment, values = "next_attempt_at = ?", (retry_at,)
        with self.db.transaction(durable=False) as connection:
            connection.execute(
                f"UPDATE outbox SET {assignment}, attempts = ?, last_result = ?, leased_until = NULL "
                "WHERE event_id = ? AND state = 'pending' AND attempts = ?" + held,
                (*values, attempts, result, event_id, attempts - 1, *held_values),
            )

    def parked_messages(self) -> list[dict]:
        return [
            dict(row)
            for row in self.db.query(
                "SELECT event_id, merchant_id, url, attempts, last_result, created_at FROM outbox "
                "WHERE state = 'dead' ORDER BY created_at"
            )
        ]

    def retry_parked(self, event_id: str | None, now: float) -> int:
        """Send parked messages again (one, or all when ``event_id`` is None), due at once; how many."""
        one = " AND event_id = ?" if event_id is not None else ""
        with self.db.transaction() as connection:
            return connection.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = ?, leased_until = NULL "
                f"WHERE state = 'dead'{one}",
                (now, *(() if event_id is None else (event_id,))),
            ).rowcount

    def pending_messages(self) -> list[dict]:
        return [
            dict(row)
            for row in self.db.query(
                "SELECT event_id, url, attempts, next_attempt_at, last_result FROM outbox "
                "WHERE state = 'pending' ORDER BY created_at"
            )
        ]

    def prune(self, now: float, batch: int = PRUNE_BATCH) -> dict[str, int]:
        """Delete a batch of expired nonces, old idempotency records and old delivered messages."""
        with self.db.transaction(durable=False) as connection:
            return {
                table: connection.execute(
                    f"DELETE FROM {table} WHERE rowid IN "
                    f"(SELECT rowid FROM {table} WHERE {condition} LIMIT ?)",
                    (now - keep, batch),
                ).rowcount
                for table, condition, keep in _PRUNED
            }
