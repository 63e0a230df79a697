"""A double-entry ledger: every transfer writes entries that sum to zero.

Each movement of money is a *transfer* with two *entries*: minus on the account it leaves,
plus on the account it reaches. Money is never created or destroyed inside the ledger, so the
sum of all balances (per currency) is always zero -- the ``external:funding`` account, the
only one allowed below zero, stands for the money that came in from outside (a bank top-up).
Payer and merchant balances never go negative: a transfer that would overdraw one raises
:class:`InsufficientFunds` before anything is written, and a ``CHECK`` constraint in the table
refuses it again should a bug ever try.

The functions take an open SQLite connection, so a caller can put a transfer in the same
transaction as the payment record and its notification (the gateway does exactly that).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from paycore.payment.money import Money

FUNDING_ACCOUNT = "external:funding"

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('payer', 'merchant', 'external')),
    currency   TEXT NOT NULL,
    balance    INTEGER NOT NULL DEFAULT 0,
    CHECK (kind = 'external' OR balance >= 0)
);
CREATE TABLE IF NOT EXISTS transfers (
    transfer_id TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    reference   TEXT NOT NULL,
    currency    TEXT NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    created_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    entry_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    transfer_id TEXT NOT NULL REFERENCES transfers (transfer_id),
    account_id  TEXT NOT NULL REFERENCES accounts (account_id),
    amount      INTEGER NOT NULL CHECK (amount != 0)
);
CREATE INDEX IF NOT EXISTS entries_by_account ON entries (account_id);
"""


class LedgerError(Exception):
    """Base class for ledger refusals."""


class InsufficientFunds(LedgerError):
    """The paying account does not hold enough money; nothing was written."""


class UnknownAccount(LedgerError):
    """No account has this id (or it holds another currency)."""


class LedgerInconsistent(LedgerError):
    """An invariant of double-entry bookkeeping does not hold (this is a bug, never expected)."""


@dataclass(frozen=True)
class Account:
    """One row of the ``accounts`` table."""

    account_id: str
    kind: str
    currency: str
    balance: int


def open_account(connection: sqlite3.Connection, account_id: str, kind: str, currency: str) -> None:
    """Create an account with a zero balance if it does not exist yet."""
    Money(1, currency)  # validates the currency code
    connection.execute(
        "INSERT OR IGNORE INTO accounts (account_id, kind, currency, balance) VALUES (?, ?, ?, 0)",
        (account_id, kind, currency),
    )


def get_account(connection: sqlite3.Connection, account_id: str) -> Account:
    """Read one account, or raise :class:`UnknownAccount`."""
    row = connection.execute(
        "SELECT account_id, kind, currency, balance FROM accounts WHERE account_id = ?", (account_id,)
    ).fetchone()
    if row is None:
        raise UnknownAccount(f"no account {account_id!r}")
    return Account(*row)


def transfer(
    connection: sqlite3.Connection,
    *,
    transfer_id: str,
    kind: str,
    reference: str,
    source: str,
    destination: str,
    money: Money,
    now: float,
) -> None:
    """Move ``money`` from ``source`` to ``destination``: one transfer row, two entries, two balances.

    Must run inside the caller's transaction. Raises before writing anything if an account is
    unknown, holds another currency, or (unless external) would go below zero.
    """
    if source == destination:
        raise LedgerError("a transfer needs two different accounts")
    debit, credit = get_account(connection, source), get_account(connection, destination)
    for account in (debit, credit):
        if account.currency != money.currency:
            raise UnknownAccount(
                f"account {account.account_id!r} holds {account.currency}, not {money.currency}"
            )
    if debit.kind != "external" and debit.balance < money.minor_units:
        raise InsufficientFunds(f"account {source!r} holds {debit.balance}, needs {money.minor_units}")
    connection.execute(
        "INSERT INTO transfers (transfer_id, kind, reference, currency, amount, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (transfer_id, kind, reference, money.currency, money.minor_units, now),
    )
    for account_id, amount in ((source, -money.minor_units), (destination, money.minor_units)):
        connection.execute(
            "INSERT INTO entries (transfer_id, account_id, amount) VALUES (?, ?, ?)",
            (transfer_id, account_id, amount),
        )
        connection.execute(
            "UPDATE accounts SET balance = balance + ? WHERE account_id = ?", (amount, account_id)
        )


def fund(
    connection: sqlite3.Connection, *, transfer_id: str, account_id: str, money: Money, now: float
) -> None:
    """Bring money in from outside (a demo top-up): a transfer from :data:`FUNDING_ACCOUNT`."""
    open_account(connection, FUNDING_ACCOUNT + ":" + money.currency, "external", money.currency)
    transfer(
        connection,
        transfer_id=transfer_id,
        kind="funding",
        reference=account_id,
        source=FUNDING_ACCOUNT + ":" + money.currency,
        destination=account_id,
        money=money,
        now=now,
    )


def check_invariants(connection: sqlite3.Connection) -> dict[str, int]:
    """Verify the books; return the total of all balances per currency (each must be zero).

    Checks that every transfer's entries sum to zero, that every balance equals the sum of its
    account's entries, that no non-external balance is negative, and that totals are zero.
    """
    unbalanced = connection.execute(
        "SELECT transfer_id FROM entries GROUP BY transfer_id HAVING SUM(amount) != 0"
    ).fetchall()
    if unbalanced:
        raise LedgerInconsistent(f"transfers whose entries do not sum to zero: {[r[0] for r in unbalanced]}")
    drifted = connection.execute(
        "SELECT a.account_id FROM accounts a LEFT JOIN entries e ON e.account_id = a.account_id "
        "GROUP BY a.account_id HAVING a.balance != COALESCE(SUM(e.amount), 0)"
    ).fetchall()
    if drifted:
        raise LedgerInconsistent(f"balances that differ from their entries: {[r[0] for r in drifted]}")
    negative = connection.execute(
        "SELECT account_id FROM accounts WHERE kind != 'external' AND balance < 0"
    ).fetchall()
    if negative:
        raise LedgerInconsistent(f"negative balances: {[r[0] for r in negative]}")
    totals = {
        row[0]: row[1]
        for row in connection.execute("SELECT currency, SUM(balance) FROM accounts GROUP BY currency")
    }
    if any(totals.values()):
        raise LedgerInconsistent(f"money was created or destroyed: totals per currency {totals}")
    return totals
