"""The gateway's persistent outbox: signed notifications delivered until acknowledged (step 3.5).

A payment's notification is written in the *same transaction* as the payment itself, so a
committed payment always has its notification queued, even if the gateway crashes a moment later
(the "transactional outbox" pattern). A :class:`Notifier` then delivers due messages, signing
each attempt afresh, and on failure schedules the next attempt further away, as WeChat Pay does
(15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min ... about 24 hours in all). After the last
attempt the message is marked dead; the merchant's reconciliation query covers that case.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from urllib.parse import urlsplit

from paycore.payment.clock import Clock
from paycore.payment.signatures import MessageSigner
from paycore.payment.storage import Database
from paycore.payment.transport import LinkError

RETRY_SCHEDULE: tuple[int, ...] = (
    15,
    15,
    30,
    180,
    600,
    1200,
    1800,
    1800,
    1800,
    3600,
    10800,
    10800,
    10800,
    21600,
    21600,
)
"""Seconds to wait after each failed attempt; its length is the number of retries."""


SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    event_id        TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            BLOB NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    last_result     TEXT,
    created_at      REAL NOT NULL,
    delivered_at    REAL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
"""


def enqueue(
    connection: sqlite3.Connection, *, event_id: str, merchant_id: str, url: str, body: bytes, now: float
) -> None:
    """Queue a notification inside the caller's transaction; it is due at once."""
    connection.execute(
        "INSERT INTO outbox (event_id, merchant_id, url, body, next_attempt_at, state, created_at) "
        "VALUES (?, ?, ?, ?, ?, 'pending', ?)",
        (event_id, merchant_id, url, body, now, now),
    )


@dataclass(frozen=True)
class DeliveryReport:
    """What one :meth:`Notifier.deliver_due` pass did."""

    delivered: tuple[str, ...] = ()
    retrying: tuple[str, ...] = ()
    dead: tuple[str, ...] = ()


class Notifier:
    """Delivers due outbox messages over a link (real HTTP or in process)."""

    def __init__(self, db: Database, signer: MessageSigner, link, clock: Clock) -> None:
        self.db = db
        self.signer = signer
        self.link = link
        self.clock = clock

    def _due(self, now: float, limit: int) -> list[sqlite3.Row]:
        """The messages due now. One notifier per gateway database: a second one would deliver some
        messages twice, which is harmless (merchants deduplicate by event id) but wasteful."""
        return self.db.query(
            "SELECT event_id, url, body, attempts FROM outbox "
            "WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            (now, limit),
        )

    def _attempt(self, url: str, body: bytes) -> tuple[bool, str]:
        path = urlsplit(url).path or "/"
        headers = {
            "Content-Type": "application/json",
            **self.signer.sign_request("POST", path, body, timestamp=int(self.clock.now())),
        }
        try:
            reply = self.link.request("POST", url, headers, body)
        except LinkError as exc:
            return False, str(exc)
        return 200 <= reply.status < 300, f"HTTP {reply.status}"

    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        """Try every message that is due now; return what happened to each."""
        now = self.clock.now()
        delivered, retrying, dead = [], [], []
        for row in self._due(now, limit):
            ok, result = self._attempt(row["url"], bytes(row["body"]))
            attempts = row["attempts"] + 1
            with self.db.transaction(durable=False) as connection:  # lost? the merchant dedupes a re-delivery
                if ok:
                    connection.execute(
                        "UPDATE outbox SET state = 'delivered', attempts = ?, last_result = ?, "
                        "delivered_at = ? WHERE event_id = ?",
                        (attempts, result, now, row["event_id"]),
                    )
                    delivered.append(row["event_id"])
                elif attempts > len(RETRY_SCHEDULE):
                    connection.execute(
                        "UPDATE outbox SET state = 'dead', attempts = ?, last_result = ? WHERE event_id = ?",
                        (attempts, result, row["event_id"]),
                    )
                    dead.append(row["event_id"])
                else:
                    connection.execute(
                        "UPDATE outbox SET attempts = ?, last_result = ?, next_attempt_at = ? "
                        "WHERE event_id = ?",
                        (attempts, result, now + RETRY_SCHEDULE[attempts - 1], row["event_id"]),
                    )
                    retrying.append(row["event_id"])
        return DeliveryReport(tuple(delivered), tuple(retrying), tuple(dead))

    def pending(self) -> list[dict]:
        """The undelivered messages, for inspection."""
        return [
            dict(row)
            for row in self.db.query(
                "SELECT event_id, url, attempts, next_attempt_at, last_result FROM outbox "
                "WHERE state = 'pending' ORDER BY created_at"
            )
        ]
