"""The merchant's store on SQLite: every SQL statement the e-commerce platform runs.

:class:`SQLiteMerchantStore` implements :class:`~paycore.payment.merchant.store.MerchantStore`; the
tables are in ``schema.sql`` beside this file. Status names come from
:mod:`paycore.payment.orders`, never spelled in SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import TypeVar

from paycore.payment.merchant.store import ORDER_FIELDS_SET_ON_MOVE, Order
from paycore.payment.orders import PAYABLE, OrderStatus
from paycore.payment.storage import Database, SQLiteTransaction, read_schema, row_values

T = TypeVar("T")
SCHEMA = read_schema("paycore.payment.merchant")
_ORDER_COLUMNS = ", ".join(field.name for field in fields(Order))
_PAYABLE = tuple(sorted(status.value for status in PAYABLE))
_IN_PAYABLE = f"status IN ({', '.join('?' * len(_PAYABLE))})"


def _order(row) -> Order | None:
    return Order(*row) if row else None


class SQLiteMerchantTransaction(SQLiteTransaction):
    """One unit of work on the merchant's tables (a :class:`~.store.MerchantUnitOfWork`)."""

    def order(self, order_id: str) -> Order | None:
        return _order(self._one(f"SELECT {_ORDER_COLUMNS} FROM orders WHERE order_id = ?", (order_id,)))

    def order_with_trade(self, out_trade_no: str) -> Order | None:
        return _order(
            self._one(f"SELECT {_ORDER_COLUMNS} FROM orders WHERE out_trade_no = ?", (out_trade_no,))
        )

    def insert_order(self, order: Order) -> None:
        values = row_values(order)
        values = (*values[:5], order.status.value, *values[6:])
        self.connection.execute(
            f"INSERT INTO orders ({_ORDER_COLUMNS}) VALUES ({', '.join('?' * len(values))})", values
        )

    def move(self, order: Order, new: OrderStatus, **columns: object) -> bool:
        unknown = set(columns) - ORDER_FIELDS_SET_ON_MOVE
        if unknown:
            raise ValueError(f"a move cannot set {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in ("status", *columns))
        return (
            self.connection.execute(
                f"UPDATE orders SET {assignments} WHERE order_id = ? AND status = ?",
                (new.value, *columns.values(), order.order_id, order.status.value),
            ).rowcount
            == 1
        )

    def note_paying_since(self, order_id: str, timestamp: int) -> None:
        self.connection.execute(
            "UPDATE orders SET paying_since = ? WHERE order_id = ? AND paying_since < ?",
            (timestamp, order_id, timestamp),
        )

    def count_refund(self, order_id: str, number: int) -> None:
        self.connection.execute("UPDATE orders SET refunds = ? WHERE order_id = ?", (number, order_id))

    def close_expired(self, now: int, order_id: str | None = None) -> int:
        one = " AND order_id = ?" if order_id is not None else ""
        return self.connection.execute(
            f"UPDATE orders SET status = ? WHERE {_IN_PAYABLE} AND expires_at <= ?{one}",
            (OrderStatus.CLOSED.value, *_PAYABLE, now, *(() if order_id is None else (order_id,))),
        ).rowcount

    def event_seen(self, event_id: str) -> bool:
        return self._one("SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,)) is not None

    def record_event(self, event_id: str, event_type: str, now: float) -> None:
        self.connection.execute(
            "INSERT OR IGNORE INTO processed_events (event_id, type, received_at) VALUES (?, ?, ?)",
            (event_id, event_type, int(now)),
        )

    def record_alert(self, order_id: str | None, message: str, now: float) -> None:
        self.connection.execute(
            "INSERT INTO alerts (order_id, message, created_at) VALUES (?, ?, ?)",
            (order_id, message, int(now)),
        )


class SQLiteMerchantStore:
    """The merchant's tables in one SQLite database (a file, or ``":memory:"``)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.db = Database(path, SCHEMA)

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[SQLiteMerchantTransaction]:
        """One unit of work (see :meth:`paycore.payment.storage.Database.transaction` on ``durable``)."""
        with self.db.transaction(durable=durable) as connection:
            yield SQLiteMerchantTransaction(connection)

    def run(self, work: Callable[[SQLiteMerchantTransaction], T], *, durable: bool = True) -> T:
        """``work(unit)`` in one transaction: all its writes commit together, or none if it raises."""
        with self.transaction(durable=durable) as unit:
            return work(unit)

    def order(self, order_id: str) -> Order | None:
        return _order(
            self.db.query_one(f"SELECT {_ORDER_COLUMNS} FROM orders WHERE order_id = ?", (order_id,))
        )

    def paying_orders(self, since_before: int) -> list[str]:
        rows = self.db.query(
            "SELECT order_id FROM orders WHERE status = ? AND paying_since <= ?",
            (OrderStatus.PAYING.value, since_before),
        )
        return [row["order_id"] for row in rows]

    def alerts(self) -> list[dict]:
        return [dict(row) for row in self.db.query("SELECT * FROM alerts ORDER BY alert_id")]

    def prune(self, now: float, batch: int = 5000) -> dict[str, int]:
        """Housekeeping: delete a batch of nonces whose window has passed."""
        with self.db.transaction(durable=False) as connection:
            deleted = connection.execute(
                "DELETE FROM seen_nonces WHERE rowid IN "
                "(SELECT rowid FROM seen_nonces WHERE expires_at < ? LIMIT ?)",
                (now, batch),
            ).rowcount
        return {"seen_nonces": deleted}

    def close(self) -> None:
        self.db.close()
