"""The merchant's store on PostgreSQL: the same units of work as on SQLite, for many writers at once.

:class:`PostgresMerchantStore` implements :class:`~paycore.payment.merchant.store.MerchantStore`;
its tables are in ``schema_postgresql.sql`` beside this file. A unit of work that reads an order
locks it (``FOR UPDATE``) until it commits, so the moves of one order happen one after another,
as SQLite's single writer makes them happen: of fifty concurrent payments of one order, one moves
it to PAYING and the others then find it PAYING.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import TypeVar

from paycore.payment.merchant.store import ORDER_FIELDS_SET_ON_MOVE, Order
from paycore.payment.orders import PAYABLE, OrderStatus
from paycore.payment.postgres import PostgresDatabase, PostgresTransaction
from paycore.payment.storage import read_schema, row_values

T = TypeVar("T")
SCHEMA = read_schema("paycore.payment.merchant", "schema_postgresql.sql")
NAMESPACE = "paycore_merchant"
PRUNE_BATCH = 5000
_ORDER_COLUMNS = ", ".join(field.name for field in fields(Order))
_PAYABLE = sorted(status.value for status in PAYABLE)


def _order(row) -> Order | None:
    return Order(*row) if row else None


class PostgresMerchantTransaction(PostgresTransaction):
    """One unit of work on the merchant's tables (a :class:`~.store.MerchantUnitOfWork`)."""

    def order(self, order_id: str) -> Order | None:
        return _order(
            self._one(f"SELECT {_ORDER_COLUMNS} FROM orders WHERE order_id = %s FOR UPDATE", (order_id,))
        )

    def order_with_trade(self, out_trade_no: str) -> Order | None:
        return _order(
            self._one(
                f"SELECT {_ORDER_COLUMNS} FROM orders WHERE out_trade_no = %s FOR UPDATE", (out_trade_no,)
            )
        )

    def insert_order(self, order: Order) -> None:
        values = row_values(order)
        values = (*values[:5], order.status.value, *values[6:])
        self._run(f"INSERT INTO orders ({_ORDER_COLUMNS}) VALUES ({', '.join(['%s'] * len(values))})", values)

    def move(self, order: Order, new: OrderStatus, **columns: object) -> bool:
        unknown = set(columns) - ORDER_FIELDS_SET_ON_MOVE
        if unknown:
            raise ValueError(f"a move cannot set {sorted(unknown)}")
        assignments = ", ".join(f"{name} = %s" for name in ("status", *columns))
        return (
            self._run(
                f"UPDATE orders SET {assignments} WHERE order_id = %s AND status = %s",
                (new.value, *columns.values(), order.order_id, order.status.value),
            )
            == 1
        )

    def note_paying_since(self, order_id: str, timestamp: int) -> None:
        self._run(
            "UPDATE orders SET paying_since = %s WHERE order_id = %s AND paying_since < %s",
            (timestamp, order_id, timestamp),
        )

    def count_refund(self, order_id: str, number: int) -> None:
        self._run("UPDATE orders SET refunds = %s WHERE order_id = %s", (number, order_id))

    def close_expired(self, now: int, order_id: str | None = None) -> int:
        one = " AND order_id = %s" if order_id is not None else ""
        return self._run(
            f"UPDATE orders SET status = %s WHERE status = ANY(%s) AND expires_at <= %s{one}",
            (OrderStatus.CLOSED.value, _PAYABLE, now, *(() if order_id is None else (order_id,))),
        )

    def event_seen(self, event_id: str) -> bool:
        return self._one("SELECT 1 FROM processed_events WHERE event_id = %s", (event_id,)) is not None

    def record_event(self, event_id: str, event_type: str, now: float) -> None:
        self._run(
            "INSERT INTO processed_events (event_id, type, received_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (event_id) DO NOTHING",
            (event_id, event_type, int(now)),
        )

    def record_alert(self, order_id: str | None, message: str, now: float) -> None:
        self._run(
            "INSERT INTO alerts (order_id, message, created_at) VALUES (%s, %s, %s)",
            (order_id, message, int(now)),
        )


class PostgresMerchantStore:
    """The merchant's tables in one schema of a PostgreSQL database."""

    def __init__(self, url: str, *, namespace: str = NAMESPACE) -> None:
        self.db = PostgresDatabase(url, SCHEMA, namespace=namespace)

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[PostgresMerchantTransaction]:
        """One unit of work, run once (no retry on a conflict: :meth:`run` retries)."""
        with self.db.transaction(durable=durable) as connection:
            yield PostgresMerchantTransaction(connection)

    def run(self, work: Callable[[PostgresMerchantTransaction], T], *, durable: bool = True) -> T:
        """``work(unit)`` in one transaction, again from the start after a conflict with another one."""
        return self.db.run(lambda connection: work(PostgresMerchantTransaction(connection)), durable=durable)

    def order(self, order_id: str) -> Order | None:
        row = self.db.query_one(f"SELECT {_ORDER_COLUMNS} FROM orders WHERE order_id = ?", (order_id,))
        return _order(row)

    def paying_orders(self, since_before: int) -> list[str]:
        rows = self.db.query(
            "SELECT order_id FROM orders WHERE status = ? AND paying_since <= ?",
            (OrderStatus.PAYING.value, since_before),
        )
        return [row[0] for row in rows]

    def alerts(self) -> list[dict]:
        return [dict(row) for row in self.db.query("SELECT * FROM alerts ORDER BY alert_id")]

    def prune(self, now: float, batch: int = PRUNE_BATCH) -> dict[str, int]:
        """Housekeeping: delete a batch of nonces whose window has passed."""

        def work(connection) -> dict[str, int]:
            unit = PostgresTransaction(connection)
            return {"seen_nonces": unit.prune("seen_nonces", "expires_at < %s", (now,), batch)}

        return self.db.run(work, durable=False)

    def close(self) -> None:
        self.db.close()
