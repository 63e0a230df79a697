"""The dialects' SQL on SQLite: dialect merchants, trades, refunds by number, one-time payment codes.

Two parts of :class:`~paycore.payment.gateway.sqlite.SQLiteGatewayStore`: :class:`SQLiteTradesUnit`
is mixed into its unit of work (writes, and the reads a unit of work makes before it writes), and
:class:`SQLiteTradesReads` into the store itself (reads outside a transaction). The tables are in
``schema.sql``; the rules that use them are in :mod:`paycore.payment.gateway.dialects.trades`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import astuple

from paycore.payment.gateway.store import DialectMerchantRecord, RefundRecord, TradeRecord
from paycore.payment.storage import Database

_TRADE_COLUMNS = ", ".join(TradeRecord.__dataclass_fields__)
_MERCHANT_COLUMNS = ", ".join(DialectMerchantRecord.__dataclass_fields__)
_REFUND_COLUMNS = ", ".join(RefundRecord.__dataclass_fields__)
_TRADE_TIMES = ("scanned_at", "paid_at", "closed_at")


def _trade_query(**by: str | None) -> tuple[str, tuple]:
    given = {column: value for column, value in by.items() if value is not None}
    if len(given) != 1:
        raise ValueError("find a trade by one of its out_trade_no, trade_id or payment_id")
    ((column, value),) = given.items()
    return f"SELECT {_TRADE_COLUMNS} FROM trades WHERE merchant_id = ? AND {column} = ?", (value,)


def _trade(row: sqlite3.Row | None) -> TradeRecord | None:
    return TradeRecord(*row) if row else None


def _merchant(row: sqlite3.Row | None) -> DialectMerchantRecord | None:
    if row is None:
        return None
    values = list(row)
    values[6] = bytes(values[6])
    return DialectMerchantRecord(*values)


class SQLiteTradesUnit:
    """The dialects' tables inside one unit of work."""

    connection: sqlite3.Connection

    def save_dialect_merchant(self, record: DialectMerchantRecord) -> None:
        self.connection.execute(
            f"INSERT OR REPLACE INTO dialect_merchants ({_MERCHANT_COLUMNS}) "
            f"VALUES ({', '.join('?' * len(astuple(record)))})",
            astuple(record),
        )

    def insert_trade(self, record: TradeRecord) -> None:
        self.connection.execute(
            f"INSERT INTO trades ({_TRADE_COLUMNS}) VALUES ({', '.join('?' * len(astuple(record)))})",
            astuple(record),
        )

    def find_trade(
        self,
        merchant_id: str,
        *,
        out_trade_no: str | None = None,
        trade_id: str | None = None,
        payment_id: str | None = None,
    ) -> TradeRecord | None:
        sql, value = _trade_query(out_trade_no=out_trade_no, trade_id=trade_id, payment_id=payment_id)
        return _trade(self.connection.execute(sql, (merchant_id, *value)).fetchone())

    def trade_by_token(self, token: str) -> TradeRecord | None:
        row = self.connection.execute(
            f"SELECT {_TRADE_COLUMNS} FROM trades WHERE cashier_token = ?", (token,)
        ).fetchone()
        return _trade(row)

    def update_trade(
        self, trade_id: str, *, status: str | None = None, payment_id: str | None = None, **times: int
    ) -> None:
        unknown = set(times) - set(_TRADE_TIMES)
        if unknown:
            raise ValueError(f"a trade has no time called {', '.join(sorted(unknown))}")
        changes = {"status": status, "payment_id": payment_id, **times}
        changes = {name: value for name, value in changes.items() if value is not None}
        if changes:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            self.connection.execute(
                f"UPDATE trades SET {assignments} WHERE trade_id = ?", (*changes.values(), trade_id)
            )

    def find_refund(self, merchant_id: str, out_refund_no: str) -> RefundRecord | None:
        row = self.connection.execute(
            f"SELECT {_REFUND_COLUMNS} FROM refunds WHERE merchant_id = ? AND out_refund_no = ?",
            (merchant_id, out_refund_no),
        ).fetchone()
        return RefundRecord(*row) if row else None

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
            f"SELECT {_MERCHANT_COLUMNS} FROM dialect_merchants WHERE dialect = ? AND external_id = ?",
            (dialect, external_id),
        )
        return _merchant(row)

    def find_trade(
        self,
        merchant_id: str,
        *,
        out_trade_no: str | None = None,
        trade_id: str | None = None,
        payment_id: str | None = None,
    ) -> TradeRecord | None:
        sql, value = _trade_query(out_trade_no=out_trade_no, trade_id=trade_id, payment_id=payment_id)
        return _trade(self.db.query_one(sql, (merchant_id, *value)))

    def trade_by_token(self, token: str) -> TradeRecord | None:
        return _trade(
            self.db.query_one(f"SELECT {_TRADE_COLUMNS} FROM trades WHERE cashier_token = ?", (token,))
        )

    def find_refund(self, merchant_id: str, out_refund_no: str) -> RefundRecord | None:
        row = self.db.query_one(
            f"SELECT {_REFUND_COLUMNS} FROM refunds WHERE merchant_id = ? AND out_refund_no = ?",
            (merchant_id, out_refund_no),
        )
        return RefundRecord(*row) if row else None
