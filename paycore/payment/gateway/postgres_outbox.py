"""The outbox's SQL on PostgreSQL: leased deliveries for many workers, outcomes, the dead-letter queue.

Every gateway worker runs a notifier. A worker *leases* the due messages it is about to deliver
(``FOR UPDATE SKIP LOCKED``, then ``leased_until`` a while ahead): the others skip them, so each
message is delivered by one worker at a time. A worker that crashes mid-delivery holds its lease
only until it expires (:data:`~paycore.payment.gateway.outbox.LEASE_SECONDS`); then another takes
the message over. An outcome is recorded only by the worker that still holds the lease, for the
attempt it leased (``leased_until`` and ``attempts`` still the ones it saw), so a late worker cannot
overwrite or pre-empt the holder's result.

Housekeeping (:meth:`PostgresMailroom.prune`) deletes in small batches what is no longer needed:
nonces past their window, idempotency records older than a day, delivered messages older than a week.
"""

from __future__ import annotations

from paycore.payment.gateway.outbox import LEASE_SECONDS, OutboxMessage
from paycore.payment.gateway.store import KEEP_DELIVERED_SECONDS, KEEP_IDEMPOTENCY_SECONDS
from paycore.payment.postgres import PostgresDatabase, PostgresTransaction

PRUNE_BATCH = 5000


class PostgresMailroom:
    """What the notifier and the operator need of the ``outbox`` table."""

    db: PostgresDatabase

    def due_messages(self, now: float, limit: int) -> list[OutboxMessage]:
        """Lease up to ``limit`` due messages no other worker holds, oldest first."""

        until = now + LEASE_SECONDS

        def lease(connection) -> list[OutboxMessage]:
            rows = connection.execute(
                "UPDATE outbox SET leased_until = %s WHERE event_id IN ("
                "SELECT event_id FROM outbox WHERE state = 'pending' AND next_attempt_at <= %s "
                "AND (leased_until IS NULL OR leased_until <= %s) ORDER BY next_attempt_at LIMIT %s "
                "FOR UPDATE SKIP LOCKED) "
                "RETURNING event_id, url, body, attempts, next_attempt_at, format, merchant_id",
                (until, now, now, limit),
            ).fetchall()
            rows.sort(key=lambda row: row[4])
            return [
                OutboxMessage(row[0], row[1], bytes(row[2]), row[3], row[5], row[6], until) for row in rows
            ]

        return self.db.run(lease, durable=False)

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
        """The outcome of one attempt (not flushed: if lost, the merchant dedupes a re-delivery).

        With ``lease``, only while that lease is still the message's own (see :mod:`.sqlite_outbox`).
        """
        held, held_values = ("", ()) if lease is None else (" AND leased_until = %s", (lease,))
        if state == "delivered":
            statement, values = "state = 'delivered', delivered_at = %s", (now,)
        elif state == "dead":
            statement, values = "state = 'dead'", ()
        else:
            statement, values = "next_attempt_at = %s", (retry_at,)
        self.db.run(
            lambda connection: connection.execute(
                f"UPDATE outbox SET {statement}, attempts = %s, last_result = %s, leased_until = NULL "
                "WHERE event_id = %s AND state = 'pending' AND attempts = %s" + held,
                (*values, attempts, result, event_id, attempts - 1, *held_values),
            ),
            durable=False,
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
        one = " AND event_id = %s" if event_id is not None else ""
        return self.db.run(
            lambda connection: (
                connection.execute(
                    "UPDATE outbox SET state = 'pending', next_attempt_at = %s, leased_until = NULL "
                    f"WHERE state = 'dead'{one}",
                    (now, *(() if event_id is None else (event_id,))),
                ).rowcount
            )
        )

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

        def work(connection) -> dict[str, int]:
            unit = PostgresTransaction(connection)
            return {
                "seen_nonces": unit.prune("seen_nonces", "expires_at < %s", (now,), batch),
                "idempotency_keys": unit.prune(
                    "idempotency_keys", "claimed_at < %s", (now - KEEP_IDEMPOTENCY_SECONDS,), batch
                ),
                "outbox": unit.prune(
                    "outbox",
                    "state = 'delivered' AND delivered_at < %s",
                    (now - KEEP_DELIVERED_SECONDS,),
                    batch,
                ),
            }

        return self.db.run(work, durable=False)
