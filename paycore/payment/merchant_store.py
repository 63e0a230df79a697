"""The merchant's tables: orders, payment attempts, processed notifications.

The merchant never stores a card number or CVV: the payer's details exist only in the sealed
envelope of one request, in memory, for as long as that request (and its retries) take.
"""

from __future__ import annotations

import json
import sqlite3

from paycore.payment import replay
from paycore.payment.money import Money

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS orders (
    order_id      TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    items         TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    status        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    out_trade_no  TEXT UNIQUE,
    paying_since  INTEGER,
    payment_id    TEXT,
    payer_display TEXT,
    failure_code  TEXT,
    paid_at       INTEGER,
    refunded      INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    refunds       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status);
CREATE TABLE IF NOT EXISTS processed_events (
    event_id    TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   TEXT,
    message    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
"""
    + replay.SCHEMA
)


def order_view(row: sqlite3.Row) -> dict:
    """An ``orders`` row as the merchant API shows it to its user."""
    return {
        "order_id": row["order_id"],
        "status": row["status"],
        "amount": Money(row["amount"], row["currency"]).to_json(),
        "items": json.loads(row["items"]),
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "out_trade_no": row["out_trade_no"],
        "payment_id": row["payment_id"],
        "payer": row["payer_display"],
        "failure_code": row["failure_code"],
        "paid_at": row["paid_at"],
        "refunded": row["refunded"],
    }


def raise_alert(connection: sqlite3.Connection, order_id: str | None, message: str, now: float) -> None:
    """Record something a human must look at (a notification whose amount differs, say)."""
    connection.execute(
        "INSERT INTO alerts (order_id, message, created_at) VALUES (?, ?, ?)", (order_id, message, int(now))
    )
