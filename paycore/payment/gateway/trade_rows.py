"""What the SQLite and PostgreSQL stores share about the dialects' rows: columns, lookups, changes.

The two stores (:mod:`.sqlite_trades`, :mod:`.postgres_trades`) write their own SQL -- placeholders,
locks and upserts differ -- but they read and change the same rows the same way, which lives here.
"""

from __future__ import annotations

from collections.abc import Sequence

from paycore.payment.gateway.store import DialectMerchantRecord, RefundRecord, TradeRecord

TRADE_COLUMNS = ", ".join(TradeRecord.__dataclass_fields__)
MERCHANT_COLUMNS = ", ".join(DialectMerchantRecord.__dataclass_fields__)
REFUND_COLUMNS = ", ".join(RefundRecord.__dataclass_fields__)
TRADE_TIMES = ("scanned_at", "paid_at", "closed_at")
TRADE_KEYS = ("out_trade_no", "trade_id", "payment_id")


def trade_key(**by: str | None) -> tuple[str, str]:
    """The one column a trade is looked up by, and its value.

    >>> trade_key(out_trade_no="T1", trade_id=None, payment_id=None)
    ('out_trade_no', 'T1')
    """
    given = {column: value for column, value in by.items() if value is not None}
    if len(given) != 1 or not set(given) <= set(TRADE_KEYS):
        raise ValueError("find a trade by one of its out_trade_no, trade_id or payment_id")
    ((column, value),) = given.items()
    return column, value


def trade_changes(status: str | None, payment_id: str | None, times: dict[str, int]) -> dict[str, object]:
    """The columns an ``update_trade`` call sets (``None`` leaves a column as it is)."""
    unknown = set(times) - set(TRADE_TIMES)
    if unknown:
        raise ValueError(f"a trade has no time called {', '.join(sorted(unknown))}")
    changes = {"status": status, "payment_id": payment_id, **times}
    return {name: value for name, value in changes.items() if value is not None}


def trade_record(row: Sequence | None) -> TradeRecord | None:
    return TradeRecord(*row) if row else None


def merchant_record(row: Sequence | None) -> DialectMerchantRecord | None:
    """A dialect merchant's row; its public key comes back as bytes whatever the driver's type."""
    if row is None:
        return None
    values = list(row)
    values[6] = bytes(values[6])
    return DialectMerchantRecord(*values)


def refund_record(row: Sequence | None) -> RefundRecord | None:
    return RefundRecord(*row) if row else None
