"""The dialects' SQL on PostgreSQL: dialect merchants, trades, refunds by number, one-time payment codes.

The PostgreSQL twin of :mod:`.sqlite_trades`, mixed into
:class:`~paycore.payment.gateway.postgres.PostgresGatewayStore` the same way: :class:`PostgresTradesUnit`
into its unit of work, :class:`PostgresTradesReads` into the store. Where several workers may decide
on one trade at once, the unit of work locks it (``FOR UPDATE``): no two payers pay one trade, and no
close races a payment. A payment code is taken with one ``DELETE ... RETURNING``, so two workers
cannot both spend it.
"""

from __future__ import annotations

from dataclasses import astuple

from paycore.payment.gateway.store import DialectMerchantRecord, RefundRecord, TradeRecord
from paycore.payment.postgres import PostgresDatabase

_TRADE_COLUMNS = ", ".join(TradeRecord.__dataclass_fields__)
_MERCHANT_COLUMNS = ", ".join(DialectMerchantRecord.__dataclass_fields__)
_REFUND_COLUMNS = ", ".join(RefundRecord.__dataclass_fields__)
_TRADE_TIMES = ("scanned_at", "paid_at", "closed_at")
_TRADE_KEYS = ("out_trade_no", "trade_id", "payment_id")


def _trade_query(**by: str | None) -> tuple[str, str]:
    given = {column: value for column, value in by.items() if value is not None}
    if len(given) != 1 or not set(given) <= set(_TRADE_KEYS):
        raise ValueError("find a trade by one of its out_trade_no, trade_id or payment_id")
    ((column, value),) = given.items()
    return f"SELECT {_TRADE_COLUMNS} FROM trades WHERE merchant_id = %s AND {column} = %s", value


def _trade(row: tuple | None) -> TradeRecord | None:
    return TradeRecord(*row) if row else None


def _merchant(row: tuple | None) -> DialectMerchantRecord | None:
    if row is None:
        return None
    values = list(row)
    values[6] = bytes(values[6])
    return DialectMerchantRecord(*values)


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


class PostgresTradesUnit:
    """The dialects' tables inside one unit of work."""

    # _one and _run come from PostgresTransaction, which this is mixed in before

    def save_dialect_merchant(self, record: DialectMerchantRecord) -> None:
        values = astuple(record)
        updates = ", ".join(
            f"{column} = EXCLUDED.{column}" for column in DialectMerchantRecord.__dataclass_fields__
        )
        self._run(
            f"INSERT INTO dialect_merchants ({_MERCHANT_COLUMNS}) VALUES ({_marks(len(values))}) "
            f"ON CONFLICT (merchant_id) DO UPDATE SET {updates}",
            values,
        )

    def insert_trade(self, record: TradeRecord) -> None:
        values = astuple(record)
        self._run(f"INSERT INTO trades ({_TRADE_COLUMNS}) VALUES ({_marks(len(values))})", values)

    def find_trade(
        self,
        merchant_id: str,
        *,
        out_trade_no: str | None = None,
        trade_id: str | None = None,
        payment_id: str | None = None,
    ) -> TradeRecord | None:
        statement, value = _trade_query(out_trade_no=out_trade_no, trade_id=trade_id, payment_id=payment_id)
        return _trade(self._one(statement + " FOR UPDATE", (merchant_id, value)))

    def trade_by_token(self, token: str) -> TradeRecord | None:
        return _trade(
            self._one(f"SELECT {_TRADE_COLUMNS} FROM trades WHERE cashier_token = %s FOR UPDATE", (token,))
        )

    def update_trade(
        self, trade_id: str, *, status: str | None = None, payment_id: str | None = None, **times: int
    ) -> None:
        unknown = set(times) - set(_TRADE_TIMES)
        if unknown:
            raise ValueError(f"a trade has no time called {', '.join(sorted(unknown))}")
        changes = {"status": status, "payment_id": payment_id, **times}
        changes = {name: value for name, value in changes.items() if value is not None}
        if changes:
            assignments = ", ".join(f"{name} = %s" for name in changes)
            self._run(f"UPDATE trades SET {assignments} WHERE trade_id = %s", (*changes.values(), trade_id))

    def find_refund(self, merchant_id: str, out_refund_no: str) -> RefundRecord | None:
        row = self._one(
            f"SELECT {_REFUND_COLUMNS} FROM refunds WHERE merchant_id = %s AND out_refund_no = %s",
            (merchant_id, out_refund_no),
        )
        return RefundRecord(*row) if row else None

    def add_payment_code(self, code_hash: str, wallet: str, expires_at: float) -> None:
        self._run(
            "INSERT INTO payment_codes (code_hash, wallet, expires_at) VALUES (%s, %s, %s)",
            (code_hash, wallet, expires_at),
        )

    def take_payment_code(self, code_hash: str, now: float) -> str | None:
        """The wallet behind an unexpired code, which is deleted: a code pays once."""
        self._run("DELETE FROM payment_codes WHERE expires_at < %s", (now,))
        row = self._one("DELETE FROM payment_codes WHERE code_hash = %s RETURNING wallet", (code_hash,))
        return row[0] if row else None


class PostgresTradesReads:
    """Reads of the dialects' tables outside a unit of work."""

    db: PostgresDatabase

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
        statement, value = _trade_query(out_trade_no=out_trade_no, trade_id=trade_id, payment_id=payment_id)
        return _trade(self.db.query_one(statement.replace("%s", "?"), (merchant_id, value)))

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
