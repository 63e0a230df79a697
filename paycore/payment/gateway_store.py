"""The gateway's tables besides the ledger: merchants' keys, payers, payments and refunds.

Nothing here holds a card number or a CVV: cards are known only by a keyed token and the masked
number (``411111******1111``).
"""

from __future__ import annotations

import json
import sqlite3

from paycore.payment import idempotency, ledger, outbox, replay
from paycore.payment.money import Money

SCHEMA = """
CREATE TABLE IF NOT EXISTS merchant_keys (
    key_id         TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL,
    merchant_name  TEXT NOT NULL,
    public_key_pem BLOB NOT NULL,
    algorithm      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payer_methods (
    method_id  TEXT PRIMARY KEY,
    type       TEXT NOT NULL CHECK (type IN ('card', 'wallet')),
    display    TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (account_id)
);
CREATE TABLE IF NOT EXISTS payments (
    payment_id    TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL,
    out_trade_no  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
    currency      TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    refunded      INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
    payer_type    TEXT NOT NULL,
    payer_display TEXT NOT NULL,
    payer_account TEXT,
    failure_code  TEXT,
    notify_url    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (merchant_id, out_trade_no)
);
CREATE TABLE IF NOT EXISTS refunds (
    refund_id     TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL,
    out_refund_no TEXT NOT NULL,
    payment_id    TEXT NOT NULL REFERENCES payments (payment_id),
    amount        INTEGER NOT NULL CHECK (amount > 0),
    created_at    INTEGER NOT NULL,
    UNIQUE (merchant_id, out_refund_no)
);
"""

FULL_SCHEMA = ledger.SCHEMA + SCHEMA + replay.SCHEMA + idempotency.SCHEMA + outbox.SCHEMA


def merchant_account(merchant_id: str, currency: str) -> str:
    """The id of a merchant's settlement account in one currency."""
    return f"merchant:{merchant_id}:{currency}"


def payment_resource(row: sqlite3.Row) -> dict:
    """A ``payments`` row as the JSON resource of the API (schemas.PaymentResource)."""
    return {
        "payment_id": row["payment_id"],
        "merchant_id": row["merchant_id"],
        "out_trade_no": row["out_trade_no"],
        "status": row["status"],
        "amount": Money(row["amount"], row["currency"]).to_json(),
        "refunded": row["refunded"],
        "payer": {"type": row["payer_type"], "display": row["payer_display"]},
        "failure_code": row["failure_code"],
        "created_at": row["created_at"],
    }


def find_payment(connection: sqlite3.Connection, merchant_id: str, out_trade_no: str) -> sqlite3.Row | None:
    """The payment a merchant made under ``out_trade_no``, if any."""
    return connection.execute(
        "SELECT * FROM payments WHERE merchant_id = ? AND out_trade_no = ?", (merchant_id, out_trade_no)
    ).fetchone()


def encode(document: dict) -> bytes:
    """Compact JSON bytes, the form every gateway body takes on the wire."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
