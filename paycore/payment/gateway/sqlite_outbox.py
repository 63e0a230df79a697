"""The outbox's SQL on SQLite: due messages, delivery outcomes, the dead-letter queue.

A part of :class:`~paycore.payment.gateway.sqlite.SQLiteGatewayStore` (an
:class:`~paycore.payment.gateway.outbox.Mailroom`); messages are queued inside a payment's own unit of
work, by :meth:`~paycore.payment.gateway.sqlite.SQLiteGatewayTransaction.enqueue`.
"""

from __future__ import annotations

from paycore.payment.gateway.outbox import OutboxMessage
from paycore.payment.storage import Database


class SQLiteMailroom:
    """What the notifier and the operator need of the ``outbox`` table."""

    db: Database

    def due_messages(self, now: float, limit: int) -> list[OutboxMessage]:
        rows = self.db.query(
            "SELECT event_id, url, body, attempts, format, merchant_id FROM outbox "
            "WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            (now, limit),
        )
        return [
            OutboxMessage(
                row["event_id"],
                row["url"],
                bytes(row["body"]),
                row["attempts"],
                row["format"],
                row["merchant_id"],
            )
            for row in rows
        ]

    def record_delivery(
        self, event_id: str, *, state: str, attempts: int, result: str, now: float, retry_at: float | None
    ) -> None:
        """The outcome of one attempt; not flushed to disk (if lost, the merchant dedupes a re-delivery)."""
        with self.db.transaction(durable=False) as connection:
            if state == "delivered":
                connection.execute(
                    "UPDATE outbox SET state = 'delivered', attempts = ?, last_result = ?, delivered_at = ? "
                    "WHERE event_id = ?",
                    (attempts, result, now, event_id),
                )
            elif state == "dead":
                connection.execute(
                    "UPDATE outbox SET state = 'dead', attempts = ?, last_result = ? WHERE event_id = ?",
                    (attempts, result, event_id),
                )
            else:
                connection.execute(
                    "UPDATE outbox SET attempts = ?, last_result = ?, next_attempt_at = ? WHERE event_id = ?",
                    (attempts, result, retry_at, event_id),
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
                f"UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE state = 'dead'{one}",
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
