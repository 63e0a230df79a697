"""The dialects' SQL on SQLite: dialect merchants, trades, refunds by number, one-time payment codes.

Two parts of :class:`~paycore.payment.gateway.sqlite.SQLiteGatewayStore`: :class:`SQLiteTradesUnit`
is mixed into its unit of work (writes, and the reads a unit of work makes before it writes), and
:class:`SQLiteTradesReads` into the store itself (reads outside a transaction). The tables are in
``schema.sql``; the rules that use them are in :mod:`paycore.payment.gateway.dialects.trades`; what
this shares with the PostgreSQL store is in :mod:`.trade_rows`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import astuple

from paycore.payment.gateway.store import DialectMerchantRecord, RefundRecord, TradeRecord
from paycore.payment.gateway.trade_rows import (
    MERCHANT_COLUMNS,
    REFUND_COLUMNS,
    TRADE_COLUMNS,
    merchant_record,
    refund_record,
    trade_changes,
    trade_key,
    trade_record,
)
from paycore.payment.storage import Database


def _find_trade(**by: str | None) -> tuple[str, str]:
    column, value = trade_key(**by)
    return f"SELECT {TRADE_COLUMNS} FROM trades WHERE merchant_id = ? AND {column} = ?", value


_BY_TOKEN = f"SELECT {TRADE_COLUMNS} FROM trades WHERE cashier_token = ?"
_FIND_REFUND = f"SELECT {REFUND_COLUMNS} FROM refunds WHERE merchant_id = ? AND out_refund_no = ?"


class SQLiteTradesUnit:
    """The dialects' tables inside one unit of work."""

    connection: sqlite3.Connection

    def save_dialect_merchant(self, record: DialectMerchantRecord) -> None:
        values = astuple(record)
        marks = ", ".join("?" * len(values))
        self.connection.execute(
            f"INSERT OR REPLACE INTO dialect_merchants ({MERCHANT_COLUMNS}) VALUES ({marks})", values
        )

    def insert_trade(self, record: TradeRecord) -> None:
        values = astuple(record)
        self.connection.execute(
            f"INSERT INTO trades ({TRADE_COLUMNS}) VALUES ({', '.join('?' * len(values))})", values
        )

    def find_trade(
        self,
        merchant_id: str,
        *,
        out_trade_no: str | None = None,
        trade_id: str | None = None,
        payment_id: str | None = None,
    ) -> TradeRecord | None:
        sql, value = _find_trade(out_trade_no=out_trade_no, trade_id=trade_id, payment_id=payment_id)
        return trade_record(self.connection.execute(sql, (merchant_id, value)).fetchone())

    def trade_by_token(self, token: str) -> TradeRecord | None:
        return trade_record(self.connection.execute(_BY_TOKEN, (token,)).fetchone())

    def update_trade(
        self, trade_id: str, *, status: str | None = None, payment_id: str | None = None, **times: int
    ) -> None:
        changes = trade_changes(status, payment_id, times)
        if changes:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            self.connection.execute(
                f"UPDATE trades SET {assignments} WHERE trade_id = ?", (*changes.values(), trade_id)
            )

    def find_refund(self, merchant_id: str, out_refund_no: str) -> RefundRecord | None:
        return refund_record(self.connection.execute(_FIND_REFUND, (merchant_id, out_refund_no)).fetchone())

    def add_payment_code(self, code_hash: str, wallet: str, expires_at: float) -> None:
        self.connection.execute(
            "INSERT INTO payment_codes (code_hash, wallet, expires_at) VALUES (?, ?, ?)",
            (code_hash, wallet, expires_at),
        )

    def take_payment_code(self, code_hash: str, now: float) -> str | None:
        """The wallet behind an unexpired code, which is deleted: a code pays once."""
        self.connection.execute("DELETE FROM payment_codes WHERE expires_at < ?", (now,))
        row = self.connection.execute(
            "SELECT wallet FROM payment_codes WHERE code_hash = ?", (code_hash,)
        ).fetchone()
        if row is None:
            return None
        self.connection.execute("DELETE FROM payment_codes WHERE code_hash = ?", (code_hash,))
        return row[0]


class SQLiteTradesReads:
    """Reads of the dialects' tables outside a unit of work."""

    db: Database

    def dialect_merchant(self, dialect: str, external_id: str) -> DialectMerchantRecord | None:
        row = self.db.query_one(
            f"SELECT {MERCHANT_COLUMNS} FROM dialect_merchants WHERE dialect = ? AND external_id = ?",
            (dialect, external_id),
        )
        return merchant_record(row)

    def find_trade(
        self,
        merchant_id: str,
        *,
        out_trade_no: str | None = None,
        trade_id: str | None = None,
        payment_id: str | None = None,
    ) -> TradeRecord | None:
        sql, value = _find_trade(out_trade_no=out_trade_no, trade_id=trade_id, payment_id=payment_id)
        return trade_record(self.db.query_one(sql, (merchant_id, value)))

    def trade_by_token(self, token: str) -> TradeRecord | None:
        return trade_record(self.db.query_one(_BY_TOKEN, (token,)))

    def find_refund(self, merchant_id: str, out_refund_no: str) -> RefundRecord | None:
        return refund_record(self.db.query_one(_FIND_REFUND, (merchant_id, out_refund_no)))
