"""The gateway's store on PostgreSQL: the same units of work as on SQLite, for many workers at once.

:class:`PostgresGatewayStore` implements :class:`~paycore.payment.gateway.store.GatewayStore`; its
tables are in ``schema_postgresql.sql`` beside this file. Where SQLite serialises whole
transactions, here a unit of work locks the rows it decides on (see :mod:`paycore.payment.postgres`):
the accounts a transfer reads (``FOR UPDATE``: no two payments spend one balance), an idempotency
record (no two requests take over one stale claim), a payment being refunded (no two refunds
exceed it). Racing inserts of one nonce, key or order number end in a unique violation, and the
unit of work runs again, seeing the winner's row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from paycore.payment.gateway.idempotency import KeyRecord, StoredResponse
from paycore.payment.gateway.ledger import Account, LedgerReport
from paycore.payment.gateway.postgres_outbox import PostgresMailroom
from paycore.payment.gateway.postgres_trades import PostgresTradesReads, PostgresTradesUnit
from paycore.payment.gateway.store import MerchantKeyRecord, PayerRecord, PaymentRecord
from paycore.payment.money import Money
from paycore.payment.postgres import PostgresDatabase, PostgresTransaction
from paycore.payment.storage import read_schema, row_values

T = TypeVar("T")
SCHEMA = read_schema("paycore.payment.gateway", "schema_postgresql.sql")
NAMESPACE = "paycore_gateway"

_PAYMENT_COLUMNS = ", ".join(PaymentRecord.__dataclass_fields__)
_FIND_PAYMENT = f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE merchant_id = %s AND out_trade_no = %s"


class PostgresGatewayTransaction(PostgresTradesUnit, PostgresTransaction):
    """One unit of work on the gateway's tables (a :class:`~.store.GatewayUnitOfWork`)."""

    # -- the ledger (a ledger.Book) ---------------------------------------------------------------
    def account(self, account_id: str) -> Account | None:
        row = self._one(
            "SELECT account_id, kind, currency, balance FROM accounts WHERE account_id = %s FOR UPDATE",
            (account_id,),
        )
        return Account(*row) if row else None

    def open_account(self, account_id: str, kind: str, currency: str) -> None:
        self._run(
            "INSERT INTO accounts (account_id, kind, currency, balance) VALUES (%s, %s, %s, 0) "
            "ON CONFLICT (account_id) DO NOTHING",
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
        self._run(
            "WITH transfer AS (INSERT INTO transfers (transfer_id, kind, reference, currency, amount, "
            "created_at) VALUES (%s, %s, %s, %s, %s, %s)), "
            "legs AS (INSERT INTO entries (transfer_id, account_id, amount) "
            "VALUES (%s, %s, %s), (%s, %s, %s)) "
            "UPDATE accounts SET balance = balance + CASE WHEN account_id = %s THEN %s ELSE %s END "
            "WHERE account_id IN (%s, %s)",
            (
                *(transfer_id, kind, reference, money.currency, amount, now),
                *(transfer_id, source, -amount, transfer_id, destination, amount),
                *(source, -amount, amount, source, destination),
            ),
        )

    # -- idempotency keys (idempotency.Claims) -----------------------------------------------------
    def idempotency_record(self, scope: str, key: str) -> KeyRecord | None:
        row = self._one(
            "SELECT fingerprint, state, status, body, claimed_at FROM idempotency_keys "
            "WHERE scope = %s AND key = %s FOR UPDATE",
            (scope, key),
        )
        if row is None:
            return None
        fingerprint, state, status, body, claimed_at = row
        response = StoredResponse(status, bytes(body)) if state == "done" else None
        return KeyRecord(fingerprint, state == "done", claimed_at, response)

    def insert_claim(self, scope: str, key: str, fingerprint: str, now: float) -> None:
        self._run(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, state, claimed_at) "
            "VALUES (%s, %s, %s, 'in_progress', %s)",
            (scope, key, fingerprint, now),
        )

    def retake_claim(self, scope: str, key: str, now: float) -> None:
        self._run(
            "UPDATE idempotency_keys SET claimed_at = %s WHERE scope = %s AND key = %s", (now, scope, key)
        )

    def complete_claim(self, scope: str, key: str, status: int, body: bytes) -> None:
        """Store the final answer for ``key``."""
        self._run(
            "UPDATE idempotency_keys SET state = 'done', status = %s, body = %s "
            "WHERE scope = %s AND key = %s",
            (status, body, scope, key),
        )

    def release_claim(self, scope: str, key: str) -> None:
        """Forget an unfinished claim (the request failed before acting), so a retry can run."""
        self._run(
            "DELETE FROM idempotency_keys WHERE scope = %s AND key = %s AND state = 'in_progress'",
            (scope, key),
        )

    # -- merchants and payers -----------------------------------------------------------------------
    def save_merchant_key(self, record: MerchantKeyRecord) -> None:
        self._run(
            "INSERT INTO merchant_keys (key_id, merchant_id, merchant_name, public_key_pem, algorithm) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key_id) DO UPDATE SET "
            "merchant_id = EXCLUDED.merchant_id, merchant_name = EXCLUDED.merchant_name, "
            "public_key_pem = EXCLUDED.public_key_pem, algorithm = EXCLUDED.algorithm",
            row_values(record),
        )

    def payer_method(self, method_id: str) -> PayerRecord | None:
        row = self._one(
            "SELECT method_id, type, display, account_id, cvv_check FROM payer_methods WHERE method_id = %s",
            (method_id,),
        )
        return PayerRecord(*row) if row else None

    def add_payer_method(self, record: PayerRecord) -> None:
        self._run(
            "INSERT INTO payer_methods (method_id, type, display, account_id, cvv_check) "
            "VALUES (%s, %s, %s, %s, %s)",
            row_values(record),
        )

    def save_notify_origins(self, merchant_id: str, origins: tuple[str, ...]) -> None:
        wanted = sorted(set(origins))
        self._run(
            "DELETE FROM merchant_notify_origins WHERE merchant_id = %s AND NOT origin = ANY(%s)",
            (merchant_id, wanted),
        )
        self._run(
            "INSERT INTO merchant_notify_origins (merchant_id, origin) SELECT %s, unnest(%s::text[]) "
            "ON CONFLICT DO NOTHING",
            (merchant_id, wanted),
        )

    # -- payments and refunds -----------------------------------------------------------------------
    def find_payment(self, merchant_id: str, out_trade_no: str) -> PaymentRecord | None:
        row = self._one(_FIND_PAYMENT + " FOR UPDATE", (merchant_id, out_trade_no))
        return PaymentRecord(*row) if row else None

    def insert_payment(self, record: PaymentRecord) -> None:
        values = row_values(record)
        self._run(
            f"INSERT INTO payments ({_PAYMENT_COLUMNS}) VALUES ({', '.join(['%s'] * len(values))})", values
        )

    def add_refunded(self, payment_id: str, amount: int) -> None:
        self._run("UPDATE payments SET refunded = refunded + %s WHERE payment_id = %s", (amount, payment_id))

    def refund_number_used(self, merchant_id: str, out_refund_no: str) -> bool:
        return (
            self._one(
                "SELECT 1 FROM refunds WHERE merchant_id = %s AND out_refund_no = %s",
                (merchant_id, out_refund_no),
            )
            is not None
        )

    def insert_refund(
        self, *, refund_id: str, merchant_id: str, out_refund_no: str, payment_id: str, amount: int, now: int
    ) -> None:
        self._run(
            "INSERT INTO refunds (refund_id, merchant_id, out_refund_no, payment_id, amount, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (refund_id, merchant_id, out_refund_no, payment_id, amount, now),
        )

    # -- the outbox ------------------------------------------------------------------------------
    def enqueue(
        self, *, event_id: str, merchant_id: str, url: str, body: bytes, now: float, format: str = "paycore/1"
    ) -> None:
        """Queue a notification in this transaction; it is due at once."""
        self._run(
            "INSERT INTO outbox "
            "(event_id, merchant_id, url, body, next_attempt_at, state, created_at, format) "
            "VALUES (%s, %s, %s, %s, %s, 'pending', %s, %s)",
            (event_id, merchant_id, url, body, now, now, format),
        )


class PostgresGatewayStore(PostgresTradesReads, PostgresMailroom):
    """The gateway's tables in one schema of a PostgreSQL database."""

    def __init__(self, url: str, *, namespace: str = NAMESPACE) -> None:
        self.db = PostgresDatabase(url, SCHEMA, namespace=namespace)

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[PostgresGatewayTransaction]:
        """One unit of work, run once (no retry on a conflict: :meth:`run` retries)."""
        with self.db.transaction(durable=durable) as connection:
            yield PostgresGatewayTransaction(connection)

    def run(self, work: Callable[[PostgresGatewayTransaction], T], *, durable: bool = True) -> T:
        """``work(unit)`` in one transaction, again from the start after a conflict with another one."""
        return self.db.run(lambda connection: work(PostgresGatewayTransaction(connection)), durable=durable)

    def merchant_key(self, key_id: str) -> MerchantKeyRecord | None:
        row = self.db.query_one(
            "SELECT key_id, merchant_id, merchant_name, public_key_pem, algorithm FROM merchant_keys "
            "WHERE key_id = ?",
            (key_id,),
        )
        return MerchantKeyRecord(row[0], row[1], row[2], bytes(row[3]), row[4]) if row else None

    def find_payment(self, merchant_id: str, out_trade_no: str) -> PaymentRecord | None:
        row = self.db.query_one(_FIND_PAYMENT.replace("%s", "?"), (merchant_id, out_trade_no))
        return PaymentRecord(*row) if row else None

    def notify_origins(self, merchant_id: str) -> tuple[str, ...]:
        rows = self.db.query(
            "SELECT origin FROM merchant_notify_origins WHERE merchant_id = ? ORDER BY origin", (merchant_id,)
        )
        return tuple(row[0] for row in rows)

    def balance(self, account_id: str) -> int | None:
        row = self.db.query_one("SELECT balance FROM accounts WHERE account_id = ?", (account_id,))
        return row[0] if row else None

    def ledger_report(self) -> LedgerReport:
        """The books' own figures, read in one snapshot so they agree with each other."""

        def read(connection) -> LedgerReport:
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

            def ids(statement: str) -> list[str]:
                return [row[0] for row in connection.execute(statement)]

            return LedgerReport(
                unbalanced_transfers=ids(
                    "SELECT transfer_id FROM entries GROUP BY transfer_id HAVING SUM(amount) != 0"
                ),
                drifted_accounts=ids(
                    "SELECT a.account_id FROM accounts a LEFT JOIN entries e ON e.account_id = a.account_id "
                    "GROUP BY a.account_id, a.balance HAVING a.balance != COALESCE(SUM(e.amount), 0)"
                ),
                negative_accounts=ids(
                    "SELECT account_id FROM accounts WHERE kind != 'external' AND balance < 0"
                ),
                totals={
                    row[0]: int(row[1])
                    for row in connection.execute(
                        "SELECT currency, SUM(balance) FROM accounts GROUP BY currency"
                    )
                },
            )

        return self.db.run(read, durable=False)

    def close(self) -> None:
        self.db.close()
