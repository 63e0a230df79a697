"""The SQLite plumbing both parties' stores build on: one database file per party.

Why SQLite: it is a real, durable, transactional database in the standard library, so the
ledger's "debit, credit, record the payment and queue the notification -- all or nothing" is a
real transaction a student can open with any SQLite browser. WAL mode lets readers proceed while
one writer commits; ``BEGIN IMMEDIATE`` takes the write lock at the start of a transaction, so
two concurrent payments cannot both read a balance and both spend it.

``Database(":memory:")`` gives a private in-memory database (one shared connection behind a
lock), for tests and notebooks that need no files.

Writers wait their turn in the kernel, not in SQLite's busy handler: before ``BEGIN IMMEDIATE`` a
write transaction takes an exclusive lock on a small file beside the database (``*.sqlite3-lock``),
which wakes the next writer the moment the last one commits -- across threads and processes alike
(``paycore serve --workers``). SQLite's own busy handler would sleep 1, 2, 5, 10 ... ms between
retries, and with several busy processes most of a payment's time went into those sleeps.

Every SQL statement lives in a party's store (``gateway/store.py``, ``merchant/store.py``), whose
schema is a ``schema.sql`` file beside it. This module knows no table but one that both parties
keep alike: ``seen_nonces``, behind :class:`SQLiteTransaction`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import operator
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from paycore.payment.errors import ErrorCode, PaymentError

BUSY_TIMEOUT_MS = 10_000


def unavailable(exc: sqlite3.OperationalError) -> PaymentError:
    """The database refused to work (full disk, read-only file, I/O error, locked too long): a 503.

    The transaction was rolled back, so nothing is lost; the caller may retry later. The message
    names the kind of trouble, not the statement or its values.
    """
    text = str(exc).lower()
    kind = next(
        (name for word, name in _KINDS if word in text), "the database could not complete the operation"
    )
    return PaymentError(ErrorCode.STORAGE_UNAVAILABLE, f"{kind}; nothing was changed, retry later")


_KINDS = (
    ("full", "the disk is full"),
    ("readonly", "the database is read-only"),
    ("read-only", "the database is read-only"),
    ("locked", "the database is busy"),
    ("busy", "the database is busy"),
    ("i/o", "the disk failed to read or write (is it full?)"),
    ("unable to open", "the database file cannot be opened"),
)


class WriterLock:
    """One writer at a time, across the threads of this process and other processes on the same file.

    A thread lock orders this process's threads; an exclusive ``flock`` on ``path`` orders the
    processes (where the OS has ``fcntl``; elsewhere SQLite's busy handler still keeps them apart).
    Re-entrant within a thread, so a nested transaction fails as SQLite says, not by deadlock.
    """

    def __init__(self, path: str) -> None:
        self._threads = threading.RLock()
        self._depth = 0
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on Linux or macOS
            self._fcntl, self._descriptor = None, None
            return
        self._fcntl = fcntl
        self._descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        weakref.finalize(self, os.close, self._descriptor)  # (threads may still write until then)

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            self._depth += 1
            try:
                if self._depth == 1 and self._fcntl is not None:
                    self._fcntl.flock(self._descriptor, self._fcntl.LOCK_EX)
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fcntl is not None:
                    self._fcntl.flock(self._descriptor, self._fcntl.LOCK_UN)


class Database:
    """A SQLite database with per-thread connections and explicit write transactions."""

    def __init__(self, path: str | Path, schema: str) -> None:
        self.path = str(path)
        self._schema = schema
        self._local = threading.local()
        self._memory = self.path == ":memory:"
        self._memory_lock = threading.RLock()
        self._memory_connection: sqlite3.Connection | None = None
        self.commits = {"durable": 0, "relaxed": 0}
        """How many write transactions committed, by kind (the benchmarks report it per payment)."""
        self._writers = WriterLock(self.path + "-lock") if not self._memory else None
        with self._connection() as connection:
            try:
                connection.executescript(schema)  # CREATE ... IF NOT EXISTS: safe on every start
            except sqlite3.OperationalError as exc:
                raise unavailable(exc) from None

    def _connect(self, durable: bool = True) -> sqlite3.Connection:
        connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        if not self._memory:
            connection.execute("PRAGMA journal_mode = WAL")
            # FULL: a commit survives power loss; NORMAL: it survives a crash of the process
            connection.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
        return connection

    @contextmanager
    def _connection(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """This thread's connection for durable (or relaxed) commits: two, so none ever switches."""
        if self._memory:
            with self._memory_lock:
                if self._memory_connection is None:
                    self._memory_connection = self._connect()
                yield self._memory_connection
            return
        connections = self._local.__dict__.setdefault("connections", {})
        connection = connections.get(durable)
        if connection is None:
            try:
                connection = connections[durable] = self._connect(durable)
            except sqlite3.OperationalError as exc:
                raise unavailable(exc) from None
        yield connection

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` if the block raises.

        ``durable=False`` skips the disk flush at commit (``synchronous=NORMAL`` in WAL mode): the
        commit survives the process crashing but not the machine losing power -- unless a durable
        commit follows, which flushes the log with everything before it. Use it only for records
        whose loss is harmless (a nonce whose request never got further, a delivery lease); every
        commit that moves money or changes an order stays durable.
        """
        writers = self._writers.held() if self._writers is not None else contextlib.nullcontext()
        with self._connection(durable) as connection, writers:
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise unavailable(exc) from None
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException as exc:
                if connection.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        connection.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise unavailable(exc) from None
                raise
            self.commits["durable" if durable else "relaxed"] += 1

    def query(self, sql: str, parameters: tuple = ()) -> list[sqlite3.Row]:
        """Run a read-only statement and return all rows."""
        with self._connection() as connection:
            try:
                return connection.execute(sql, parameters).fetchall()
            except sqlite3.OperationalError as exc:
                raise unavailable(exc) from None

    def query_one(self, sql: str, parameters: tuple = ()) -> sqlite3.Row | None:
        """The first row of a read-only statement, or ``None``."""
        rows = self.query(sql, parameters)
        return rows[0] if rows else None

    def tables(self) -> list[str]:
        """The names of the database's tables (for inspection)."""
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [row[0] for row in rows]

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        if self._memory:
            with self._memory_lock:
                if self._memory_connection is not None:
                    self._memory_connection.close()
                    self._memory_connection = None
            return
        for connection in self._local.__dict__.pop("connections", {}).values():
            connection.close()


def row_values(record) -> tuple:
    """A flat dataclass record's field values, in order (``astuple`` without its deep copies).

    >>> from paycore.payment.gateway.ledger import Account
    >>> row_values(Account("a", "payer", "CNY", 5))
    ('a', 'payer', 'CNY', 5)
    """
    return _getter(type(record))(record)


@functools.cache
def _getter(kind: type):
    names = tuple(field.name for field in dataclasses.fields(kind))
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda record: (get(record),)


def read_schema(package: str, filename: str = "schema.sql") -> str:
    """The ``schema.sql`` that ships beside a party's store (``paycore.payment.gateway``, say).

    ``filename="schema_postgresql.sql"`` reads the same tables in PostgreSQL's dialect.
    """
    return resources.files(package).joinpath(filename).read_text(encoding="utf-8")


class SQLiteTransaction:
    """One open write transaction of a party's store; the parties' stores extend it with their tables.

    It is also a :class:`~paycore.payment.protocol.replay.NonceStore`: both parties remember the
    nonces they accepted in a ``seen_nonces`` table, in the same transaction as what the message
    asked for.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def _one(self, sql: str, parameters: tuple = ()) -> sqlite3.Row | None:
        return self.connection.execute(sql, parameters).fetchone()

    def remember_nonce(self, key_id: str, nonce: str, expires_at: float, now: float) -> bool:
        """Insert the nonce unless a live one is present (``False`` then); an expired one is taken over.

        One statement: the expired nonces themselves are deleted in batches by the store's
        housekeeping (``prune``), not by every request.
        """
        return (
            self.connection.execute(
                "INSERT INTO seen_nonces (key_id, nonce, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at "
                "WHERE seen_nonces.expires_at < ?",
                (key_id, nonce, expires_at, now),
            ).rowcount
            == 1
        )
