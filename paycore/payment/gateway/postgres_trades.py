"""The dialects' SQL on PostgreSQL: dialect merchants, trades, refunds by number, one-time payment codes.

The PostgreSQL twin of :mod:`.sqlite_trades`, mixed into
:class:`~paycore.payment.gateway.postgres.PostgresGatewayStore` the same way: :class:`PostgresTradesUnit`
into its unit of work, :class:`PostgresTradesReads` into the store; what they share is in
:mod:`.trade_rows`. Where several workers may decide on one trade at once, the unit of work locks it
(``FOR UPDATE``): no two payers pay one trade, and no close races a payment. A payment code is taken
with one ``DELETE ... RETURNING``, so two workers cannot both spend it.
"""

from __future__ import annotations

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
from paycore.payment.postgres import PostgresDatabase

_UPSERT_MERCHANT = ", ".join(
    f"{column} = EXCLUDED.{column}" for column in DialectMerchantRecord.__dataclass_fields__
)


def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def _find_trade(**by: str | None) -> tuple[str, str]:
    column, value = trade_key(**by)
    return f"SELECT {TRADE_COLUMNS} FROM trades WHERE merchant_id = %s AND {column} = %s", value


_BY_TOKEN = f"SELECT {TRADE_COLUMNS} FROM trades WHERE cashier_token = %s"
_FIND_REFUND = f"SELECT {REFUND_COLUMNS} FROM refunds WHERE merchant_id = %s AND out_refund_no = %s"


class PostgresTradesUnit:
    """The dialects' tables inside one unit of work."""

    # _one and _run come from PostgresTransaction, which this is mixed in before

    def save_dialect_merchant(self, record: DialectMerchantRecord) -> None:
        values = astuple(record)
        self._run(
            f"INSERT INTO dialect_merchants ({MERCHANT_COLUMNS}) VALUES ({_marks(len(values))}) "
            f"ON CONFLICT (merchant_id) DO UPDATE SET {_UPSERT_MERCHANT}",
            values,
        )

    def insert_trade(self, record: TradeRecord) -> None:
        values = astuple(record)
        self._run(f"INSERT INTO trades ({TRADE_COLUMNS}) VALUES ({_marks(len(values))})", values)

    def find_trade(
        self,
        merchant_id: str,
        *,
        out_trade_no: str | None = None,
        trade_id: str | None = None,
        payment_id: str | None = None,
    ) -> TradeRecord | None:
        statement, value = _find_trade(out_trade_no=out_trade_no, trade_id=trade_id, payment_id=payment_id)
        return trade_record(self._one(statement + " FOR UPDATE", (merchant_id, value)))

    def trade_by_token(self, token: str) -> TradeRecord | None:
        return trade_record(self._one(_BY_TOKEN + " FOR UPDATE", (token,)))

    def update_trade(
        self, trade_id: str, *, status: str | None = None, payment_id: str | None = None, **times: int
    ) -> None:
        changes = trade_changes(status, payment_id, times)
        if changes:
            assignments = ", ".join(f"{name} = %s" for name in changes)
            self._run(f"UPDATE trades SET {assignments} WHERE trade_id = %s", (*changes.values(), trade_id))

    def find_refund(self, merchant_id: str, out_refund_no: str) -> RefundRecord | None:
        return refund_record(self._one(_FIND_REFUND, (merchant_id, out_refund_no)))

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
    """Reads of the dialects' tables outside a unit of work (``?`` placeholders, as ``db.query`` takes)."""

    db: PostgresDatabase

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
        statement, value = _find_trade(out_trade_no=out_trade_no, trade_id=trade_id, payment_id=payment_id)
        return trade_record(self.db.query_one(statement.replace("%s", "?"), (merchant_id, value)))

    def trade_by_token(self, token: str) -> TradeRecord | None:
        return trade_record(self.db.query_one(_BY_TOKEN.replace("%s", "?"), (token,)))

    def find_refund(self, merchant_id: str, out_refund_no: str) -> RefundRecord | None:
        return refund_record(self.db.query_one(_FIND_REFUND.replace("%s", "?"), (merchant_id, out_refund_no)))
