"""A double-entry ledger: every transfer writes entries that sum to zero.

Each movement of money is a *transfer* with two *entries*: minus on the account it leaves,
plus on the account it reaches. Money is never created or destroyed inside the ledger, so the
sum of all balances (per currency) is always zero -- the ``external:funding`` account, the
only one allowed below zero, stands for the money that came in from outside (a bank top-up).
Payer and merchant balances never go negative: a transfer that would overdraw one raises
:class:`InsufficientFunds` before anything is written, and a ``CHECK`` constraint in the table
refuses it again should a bug ever try.

The rules live here; the rows live in the gateway's store. :func:`transfer` works on a
:class:`Book` -- the store's open transaction -- so a caller can put a transfer in the same
transaction as the payment record and its notification (the gateway does exactly that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from paycore.payment.money import Money

FUNDING_ACCOUNT = "external:funding"
ACCOUNT_KINDS = ("payer", "merchant", "external")


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
    """One account: its id, kind (payer, merchant or external), currency and balance in minor units."""

    account_id: str
    kind: str
    currency: str
    balance: int


@dataclass(frozen=True)
class LedgerReport:
    """What the books say about themselves, for :func:`check_invariants` to judge."""

    unbalanced_transfers: list[str] = field(default_factory=list)
    drifted_accounts: list[str] = field(default_factory=list)
    negative_accounts: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


class Book(Protocol):
    """The ledger's rows inside one open transaction of the gateway's store."""

    def account(self, account_id: str) -> Account | None: ...

    def open_account(self, account_id: str, kind: str, currency: str) -> None: ...

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
    ) -> None: ...


def merchant_account(merchant_id: str, currency: str) -> str:
    """The id of a merchant's settlement account in one currency."""
    return f"merchant:{merchant_id}:{currency}"


def payer_account(method_id: str, currency: str) -> str:
    """The id of a payer's account (a card token or a wallet id) in one currency."""
    return f"payer:{method_id}:{currency}"


def open_account(book: Book, account_id: str, kind: str, currency: str) -> None:
    """Create an account with a zero balance if it does not exist yet."""
    if kind not in ACCOUNT_KINDS:
        raise LedgerError(f"an account is one of {', '.join(ACCOUNT_KINDS)}, not {kind!r}")
    Money(1, currency)  # validates the currency code
    book.open_account(account_id, kind, currency)


def _existing(book: Book, account_id: str) -> Account:
    account = book.account(account_id)
    if account is None:
        raise UnknownAccount(f"no account {account_id!r}")
    return account


def transfer(
    book: Book,
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
    debit, credit = _existing(book, source), _existing(book, destination)
    for account in (debit, credit):
        if account.currency != money.currency:
            raise UnknownAccount(
                f"account {account.account_id!r} holds {account.currency}, not {money.currency}"
            )
    if debit.kind != "external" and debit.balance < money.minor_units:
        raise InsufficientFunds(f"account {source!r} holds {debit.balance}, needs {money.minor_units}")
    book.write_transfer(
        transfer_id=transfer_id,
        kind=kind,
        reference=reference,
        source=source,
        destination=destination,
        money=money,
        now=now,
    )


def fund(book: Book, *, transfer_id: str, account_id: str, money: Money, now: float) -> None:
    """Bring money in from outside (a demo top-up): a transfer from :data:`FUNDING_ACCOUNT`."""
    source = f"{FUNDING_ACCOUNT}:{money.currency}"
    open_account(book, source, "external", money.currency)
    transfer(
        book,
        transfer_id=transfer_id,
        kind="funding",
        reference=account_id,
        source=source,
        destination=account_id,
        money=money,
        now=now,
    )


def check_invariants(report: LedgerReport) -> dict[str, int]:
    """Judge the books; return the total of all balances per currency (each must be zero).

    Every transfer's entries must sum to zero, every balance must equal the sum of its account's
    entries, no balance but an external one may be negative, and the totals must be zero.
    """
    if report.unbalanced_transfers:
        raise LedgerInconsistent(f"transfers whose entries do not sum to zero: {report.unbalanced_transfers}")
    if report.drifted_accounts:
        raise LedgerInconsistent(f"balances that differ from their entries: {report.drifted_accounts}")
    if report.negative_accounts:
        raise LedgerInconsistent(f"negative balances: {report.negative_accounts}")
    if any(report.totals.values()):
        raise LedgerInconsistent(f"money was created or destroyed: totals per currency {report.totals}")
    return dict(report.totals)
