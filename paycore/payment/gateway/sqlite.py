"""The gateway's store on SQLite: every SQL statement the payment platform runs.

:class:`SQLiteGatewayStore` implements :class:`~paycore.payment.gateway.store.GatewayStore`; the
tables are in ``schema.sql`` beside this file. SQLite serialises writers (``BEGIN IMMEDIATE``),
so a unit of work never meets a conflicting one and :meth:`SQLiteGatewayStore.run` runs it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from paycore.payment.gateway.idempotency import KeyRecord, StoredResponse
from paycore.payment.gateway.ledger import Account, LedgerReport
from paycore.payment.gateway.sqlite_outbox import SQLiteMailroom
from paycore.payment.gateway.sqlite_trades import SQLiteTradesReads, SQLiteTradesUnit
from paycore.payment.gateway.store import MerchantKeyRecord, PayerRecord, PaymentRecord
from paycore.payment.money import Money
from paycore.payment.storage import Database, SQLiteTransaction, read_schema, row_values

T = TypeVar("T")

SCHEMA = read_schema("paycore.payment.gateway")


_ADDED_COLUMNS = (
    ("payer_methods", "cvv_check", "TEXT"),  # since the issuer checks CVVs
    ("outbox", "format", "TEXT NOT NULL DEFAULT 'paycore/1'"),  # since notifications come in formats
    ("outbox", "leased_until", "REAL"),  # since several notifiers may share the outbox
)
_PAYMENT_COLUMNS = ", ".join(PaymentRecord.__dataclass_fields__)
_PAYMENT_MARKS = ", ".join("?" * len(PaymentRecord.__dataclass_fields__))
_FIND_PAYMENT = f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE merchant_id = ? AND out_trade_no = ?"


class SQLiteGatewayTransaction(SQLiteTradesUnit, SQLiteTransaction):
    """One unit of work on the gateway's tables (a :class:`~.store.GatewayUnitOfWork`)."""

    # -- the ledger (a ledger.Book) ---------------------------------------------------------------
    def account(self, account_id: str) -> Account | None:
        row = self._one(
            "SELECT account_id, kind, currency, balance FROM accounts WHERE account_id = ?", (account_id,)
        )
        return Account(*row) if row else None

    def open_account(self, account_id: str, kind: str, currency: str) -> None:
        self.connection.execute(
            "INSERT OR IGNORE INTO accounts (account_id, kind, currency, balance) VALUES (?, ?, ?, 0)",
            (account_id, kind, currency),
        )

    def write_transfer(
        self,
        *,
        transfer_id: str,
        kind: str,
        reference: str,
        source: str,
        destination: str,
        money: Money,
        now: float,
    ) -> None:
        amount = money.minor_units
        self.connection.execute(
            "INSERT INTO transfers (transfer_id, kind, reference, currency, amount, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (transfer_id, kind, reference, money.currency, amount, now),
        )
        self.connection.execute(
            "INSERT INTO entries (transfer_id, account_id, amount) VALUES (?, ?, ?), (?, ?, ?)",
            (transfer_id, source, -amount, transfer_id, destination, amount),
        )
        self.connection.execute(
            "UPDATE accounts SET balance = balance + CASE WHEN account_id = ? THEN ? ELSE ? END "
            "WHERE account_id IN (?, ?)",
            (source, -amount, amount, source, destination),
        )

    # -- idempotency keys (idempotency.Claims) -----------------------------------------------------
    def idempotency_record(self, scope: str, key: str) -> KeyRecord | None:
        row = self._one(
            "SELECT fingerprint, state, status, body, claimed_at FROM idempotency_keys "
            "WHERE scope = ? AND key = ?",
            (scope, key),
        )
        if row is None:
            return None
        done = row["state"] == "done"
        response = StoredResponse(row["status"], bytes(row["body"])) if done else None
        return KeyRecord(row["fingerprint"], done, row["claimed_at"], response)

    def insert_claim(self, scope: str, key: str, fingerprint: str, now: float) -> None:
        self.connection.execute(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, state, claimed_at) "
            "VALUES (?, ?, ?, 'in_progress', ?)",
            (scope, key, fingerprint, now),
        )

    def retake_claim(self, scope: str, key: str, now: float) -> None:
        self.connection.execute(
            "UPDATE idempotency_keys SET claimed_at = ? WHERE scope = ? AND key = ?", (now, scope, key)
        )

    def complete_claim(self, scope: str, key: str, status: int, body: bytes) -> None:
        """Store the final answer for ``key``."""
        self.connection.execute(
            "UPDATE idempotency_keys SET state = 'done', status = ?, body = ? WHERE scope = ? AND key = ?",
            (status, body, scope, key),
        )

    def release_claim(self, scope: str, key: str) -> None:
        """Forget an unfinished claim (the request failed before acting), so a retry can run."""
        self.connection.execute(
            "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'in_progress'", (scope, key)
        )

    # -- merchants and payers -----------------------------------------------------------------------
    def save_merchant_key(self, record: MerchantKeyRecord) -> None:
        self.connection.execute(
            "INSERT OR REPLACE INTO merchant_keys "
            "(key_id, merchant_id, merchant_name, public_key_pem, algorithm) VALUES (?, ?, ?, ?, ?)",
            row_values(record),
        )

    def payer_method(self, method_id: str) -> PayerRecord | None:
        row = self._one(
            "SELECT method_id, type, display, account_id, cvv_check FROM payer_methods WHERE method_id = ?",
            (method_id,),
        )
        return PayerRecord(*row) if row else None

    def add_payer_method(self, record: PayerRecord) -> None:
        self.connection.execute(
            "INSERT INTO payer_methods (method_id, type, display, account_id, cvv_check) "
            "VALUES (?, ?, ?, ?, ?)",
            row_values(record),
        )

    def save_notify_origins(self, merchant_id: str, origins: tuple[str, ...]) -> None:
        self.connection.execute("DELETE FROM merchant_notify_origins WHERE merchant_id = ?", (merchant_id,))
        self.connection.executemany(
            "INSERT INTO merchant_notify_origins (merchant_id, origin) VALUES (?, ?)",
            [(merchant_id, origin) for origin in sorted(set(origins))],
        )

    # -- payments and refunds -----------------------------------------------------------------------
    def find_payment(self, merchant_id: str, out_trade_no: str) -> PaymentRecord | None:
        row = self._one(_FIND_PAYMENT, (merchant_id, out_trade_no))
        return PaymentRecord(*row) if row else None

    def insert_payment(self, record: PaymentRecord) -> None:
        self.connection.execute(
            f"INSERT INTO payments ({_PAYMENT_COLUMNS}) VALUES ({_PAYMENT_MARKS})", row_values(record)
        )

    def add_refunded(self, payment_id: str, amount: int) -> None:
        self.connection.execute(
            "UPDATE payments SET refunded = refunded + ? WHERE payment_id = ?", (amount, payment_id)
        )

    def refund_number_used(self, merchant_id: str, out_refund_no: str) -> bool:
        return (
            self._one(
                "SELECT 1 FROM refunds WHERE merchant_id = ? AND out_refund_no = ?",
                (merchant_id, out_refund_no),
            )
            is not None
        )

    def insert_refund(
        self, *, refund_id: str, merchant_id: str, out_refund_no: str, payment_id: str, amount: int, now: int
    ) -> None:
        self.connection.execute(
            "INSERT INTO refunds (refund_id, merchant_id, out_refund_no, payment_id, amount, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (refund_id, merchant_id, out_refund_no, payment_id, amount, now),
        )

    # -- the outbox ------------------------------------------------------------------------------
    def enqueue(
        self, *, event_id: str, merchant_id: str, url: str, body: bytes, now: float, format: str = "paycore/1"
    ) -> None:
        """Queue a notification in this transaction; it is due at once."""
        self.connection.execute(
            "INSERT INTO outbox "
            "(event_id, merchant_id, url, body, next_attempt_at, state, created_at, format) "
            "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
            (event_id, merchant_id, url, body, now, now, format),
        )


class SQLiteGatewayStore(SQLiteTradesReads, SQLiteMailroom):
    """The gateway's tables in one SQLite database (a file, or ``":memory:"``)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.db = Database(path, SCHEMA)
        for table, column, kind in _ADDED_COLUMNS:
            columns = {row["name"] for row in self.db.query(f"PRAGMA table_info({table})")}
            if column not in columns:  # a database from before the column existed
                with self.db.transaction() as connection:
                    connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[SQLiteGatewayTransaction]:
        """One unit of work (see :meth:`paycore.payment.storage.Database.transaction` on ``durable``)."""
        with self.db.transaction(durable=durable) as connection:
            yield SQLiteGatewayTransaction(connection)

    def run(self, work: Callable[[SQLiteGatewayTransaction], T], *, durable: bool = True) -> T:
        """``work(unit)`` in one transaction: all its writes commit together, or none if it raises."""
        with self.transaction(durable=durable) as unit:
            return work(unit)

    def merchant_key(self, key_id: str) -> MerchantKeyRecord | None:
        row = self.db.query_one(
            "SELECT key_id, merchant_id, merchant_name, public_key_pem, algorithm FROM merchant_keys "
            "WHERE key_id = ?",
            (key_id,),
        )
        return MerchantKeyRecord(row[0], row[1], row[2], bytes(row[3]), row[4]) if row else None

    def find_payment(self, merchant_id: str, out_trade_no: str) -> PaymentRecord | None:
        row = self.db.query_one(_FIND_PAYMENT, (merchant_id, out_trade_no))
        return PaymentRecord(*row) if row else None

    def notify_origins(self, merchant_id: str) -> tuple[str, ...]:
        rows = self.db.query(
            "SELECT origin FROM merchant_notify_origins WHERE merchant_id = ? ORDER BY origin", (merchant_id,)
        )
        return tuple(row["origin"] for row in rows)

    def balance(self, account_id: str) -> int | None:
        row = self.db.query_one("SELECT balance FROM accounts WHERE account_id = ?", (account_id,))
        return row["balance"] if row else None

    def ledger_report(self) -> LedgerReport:
        """The books' own figures, read in one transaction so they agree with each other."""
        with self.db.transaction() as connection:

            def ids(sql: str) -> list[str]:
                return [row[0] for row in connection.execute(sql)]

            return LedgerReport(
                unbalanced_transfers=ids(
                    "SELECT transfer_id FROM entries GROUP BY transfer_id HAVING SUM(amount) != 0"
                ),
                drifted_accounts=ids(
                    "SELECT a.account_id FROM accounts a LEFT JOIN entries e ON e.account_id = a.account_id "
                    "GROUP BY a.account_id HAVING a.balance != COALESCE(SUM(e.amount), 0)"
                ),
                negative_accounts=ids(
                    "SELECT account_id FROM accounts WHERE kind != 'external' AND balance < 0"
                ),
                totals={
                    row[0]: row[1]
                    for row in connection.execute(
                        "SELECT currency, SUM(balance) FROM accounts GROUP BY currency"
                    )
                },
            )

    def close(self) -> None:
        self.db.close()
