"""The PostgreSQL plumbing both parties' stores build on, beside SQLite's (:mod:`.storage`).

Where one SQLite file and one process are outgrown, the parties keep their tables in a PostgreSQL
server instead, chosen by a URL (``postgresql://user@host:port/db``). Each party gets its own
*schema* (namespace) in that database -- ``paycore_gateway`` and ``paycore_merchant`` by default --
so one URL serves both, yet neither can read the other's tables by accident, and both keep a
``seen_nonces`` table of their own.

How the stores keep SQLite's guarantees with many writers at once:

* transactions run at ``READ COMMITTED`` and lock what they read to decide
  (``SELECT ... FOR UPDATE`` on the accounts a transfer touches, on an idempotency record, on a
  payment being refunded), so two payments cannot both spend one balance;
* unique keys (nonces, idempotency keys, merchant order numbers) are the final word: the second
  of two racing inserts fails, and :meth:`PostgresDatabase.run` runs the unit of work again from
  the start -- the retry then *sees* the winner's row and answers as it would have done serially
  (a replayed nonce, a request in progress, a duplicate order number);
* a deadlock (a payment and a refund locking the same two accounts in opposite order) or a
  serialization failure is retried the same way, a few times, with a short random pause.

Why not ``SERIALIZABLE``? Every payment credits the same merchant account; under serializable
isolation concurrent payments to one merchant would mostly abort and retry. A row lock on that
account queues them instead, which is what a ledger wants.

``durable=False`` commits with ``synchronous_commit = off``: the commit survives the server process
crashing (it is in the WAL buffers) but not the machine losing power, exactly like SQLite's relaxed
commits; every commit that moves money stays durable.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from paycore.payment.errors import ErrorCode, PaymentError

try:
    import psycopg
    from psycopg import errors, sql
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError as exc:  # pragma: no cover - the postgres extra is part of dev
    raise ImportError(
        "PostgreSQL storage needs psycopg 3 and psycopg-pool: pip install 'paycore[postgres]'"
    ) from exc

T = TypeVar("T")
RETRYABLE = (errors.SerializationFailure, errors.DeadlockDetected, errors.UniqueViolation)
"""Conflicts with a concurrent transaction: the unit of work runs again from the start."""
MAX_ATTEMPTS = 12
POOL_SIZE = 10
"""Connections per party and process: as many as requests a worker serves at once, roughly."""
POOL_TIMEOUT = 10.0
_NAMESPACE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def is_postgres_url(url: str | None) -> bool:
    """Whether ``url`` names a PostgreSQL server (``postgresql://`` or ``postgres://``)."""
    return bool(url) and url.split("://", 1)[0] in ("postgresql", "postgres")


def unavailable(exc: Exception) -> PaymentError:
    """The server could not be reached or refused to work: a 503, nothing changed, retry later."""
    if isinstance(exc, PoolTimeout):
        kind = "the database is busy (no connection was free in time)"
    elif isinstance(exc, errors.DiskFull):
        kind = "the database server's disk is full"
    elif isinstance(exc, RETRYABLE):
        kind = "the database is busy (too many conflicting transactions)"
    else:
        kind = "the database server cannot be reached"
    return PaymentError(ErrorCode.STORAGE_UNAVAILABLE, f"{kind}; nothing was changed, retry later")


class Row(tuple):
    """A row read by position (``row[0]``), by column name (``row["n"]``), or as values: like sqlite3.Row."""

    names: tuple[str, ...] = ()

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _row_factory(cursor):
    names = tuple(column.name for column in cursor.description or ())

    def make(values) -> Row:
        row = Row(values)
        row.names = names
        return row

    return make


class PostgresDatabase:
    """One party's schema in a PostgreSQL database: a pool of connections and retried units of work."""

    def __init__(self, url: str, schema: str, *, namespace: str, pool_size: int = POOL_SIZE) -> None:
        if not _NAMESPACE.fullmatch(namespace):
            raise ValueError(f"a schema name is lower-case letters, digits and _, not {namespace!r}")
        self.url = url
        self.namespace = namespace
        self.commits = {"durable": 0, "relaxed": 0}
        """How many write transactions committed, by kind (as :class:`~.storage.Database` counts them)."""
        self._lock = threading.Lock()
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True},
            configure=self._configure,
            timeout=POOL_TIMEOUT,
            open=False,
            name=f"paycore-{namespace}",
        )
        try:
            self._create(schema)
            self._pool.open(wait=True, timeout=POOL_TIMEOUT)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            self._pool.close()
            text = str(exc).strip()
            reason = text.splitlines()[0] if text else type(exc).__name__
            raise PaymentError(
                ErrorCode.STORAGE_UNAVAILABLE,
                "the database server cannot be reached or refused us: "
                + reason.removeprefix("connection failed: "),
            ) from None

    def _configure(self, connection: psycopg.Connection) -> None:
        connection.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(self.namespace)))

    def _create(self, schema: str) -> None:
        """The schema and its tables, if missing; one process at a time (concurrent DDL can collide).

        On a connection of its own, not the pool's: a server that cannot be reached fails here at
        once, with libpq's reason, rather than after the pool's timeout.
        """
        with psycopg.connect(self.url, connect_timeout=int(POOL_TIMEOUT)) as connection:
            connection.execute("SELECT pg_advisory_xact_lock(hashtext('paycore schema'))")
            connection.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.namespace))
            )
            connection.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(self.namespace)))
            connection.execute(schema)

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[psycopg.Connection]:
        """``BEGIN`` ... ``COMMIT`` on a pooled connection, or ``ROLLBACK`` if the block raises."""
        try:
            with self._pool.connection() as connection:
                connection.execute("BEGIN" if durable else "BEGIN; SET LOCAL synchronous_commit TO off")
                try:
                    yield connection
                    connection.execute("COMMIT")
                except BaseException:
                    if not connection.closed and connection.info.transaction_status.name != "IDLE":
                        connection.execute("ROLLBACK")
                    raise
        except RETRYABLE:
            raise  # (some are OperationalErrors too): run() decides
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise unavailable(exc) from None
        with self._lock:
            self.commits["durable" if durable else "relaxed"] += 1

    def run(self, work: Callable[[psycopg.Connection], T], *, durable: bool = True) -> T:
        """``work(connection)`` in one transaction, run again from the start after a conflict.

        ``work`` must do nothing outside the transaction (it may run more than once). After
        :data:`MAX_ATTEMPTS` conflicts in a row the caller gets a 503 ``STORAGE_UNAVAILABLE``.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self.transaction(durable=durable) as connection:
                    return work(connection)
            except RETRYABLE as exc:
                if attempt == MAX_ATTEMPTS:
                    raise unavailable(exc) from None
                time.sleep(random.uniform(0, 0.002 * attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def query(self, statement: str, parameters: tuple = ()) -> list[Row]:
        """Run a read-only statement and return all rows (``?`` placeholders, as with SQLite)."""
        text = statement.replace("%", "%%").replace("?", "%s")
        try:
            with self._pool.connection() as connection:
                cursor = connection.cursor(row_factory=_row_factory)
                return cursor.execute(text, parameters).fetchall()
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise unavailable(exc) from None

    def query_one(self, statement: str, parameters: tuple = ()) -> Row | None:
        """The first row of a read-only statement, or ``None``."""
        rows = self.query(statement, parameters)
        return rows[0] if rows else None

    def tables(self) -> list[str]:
        """The names of this party's tables (for inspection)."""
        rows = self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1",
            (self.namespace,),
        )
        return [row[0] for row in rows]

    def drop(self) -> None:
        """Delete this party's schema and everything in it (tests and benchmarks start afresh)."""
        with self._pool.connection() as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.namespace))
            )

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.close()


class PostgresTransaction:
    """One open transaction of a party's store; the parties' stores extend it with their tables.

    Like :class:`~paycore.payment.storage.SQLiteTransaction` it is a nonce store: a nonce is
    inserted unless a live one is there (one statement; an expired leftover is taken over), and
    expired nonces are deleted in batches by the store's housekeeping, not by every request --
    with many writers, every request deleting the same expired rows would queue them behind
    each other.
    """

    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection

    def _one(self, statement: str, parameters: tuple = ()) -> tuple | None:
        return self.connection.execute(statement, parameters).fetchone()

    def _run(self, statement: str, parameters: tuple = ()) -> int:
        return self.connection.execute(statement, parameters).rowcount

    def remember_nonce(self, key_id: str, nonce: str, expires_at: float, now: float) -> bool:
        """Insert the nonce unless a live one is present (``False`` then)."""
        return (
            self._one(
                "INSERT INTO seen_nonces (key_id, nonce, expires_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at "
                "WHERE seen_nonces.expires_at < %s RETURNING 1",
                (key_id, nonce, expires_at, now),
            )
            is not None
        )

    def prune(self, table: str, condition: str, parameters: tuple, limit: int) -> int:
        """Delete up to ``limit`` rows of ``table`` matching ``condition`` (a trusted SQL fragment)."""
        return self._run(
            f"DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE {condition} LIMIT %s)",
            (*parameters, limit),
        )
