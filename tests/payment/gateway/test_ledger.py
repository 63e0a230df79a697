"""The double-entry ledger alone, on the gateway's store in memory: the transfer rules and the invariants.

The corruption tests damage the books with raw SQL through ``store.db`` -- as a bug, a manual fix
or a bad migration would -- and check that :func:`ledger.check_invariants` notices each kind.
"""

import pytest

from paycore.payment.gateway import ledger
from paycore.payment.gateway.ledger import LedgerReport
from paycore.payment.money import Money
from tests.payment.helpers import rows

PAYER = ledger.payer_account("tok_alice", "CNY")
SHOP = ledger.merchant_account("M100001", "CNY")
FUNDING = "external:funding:CNY"


def run(store, work):
    return store.run(work)


@pytest.fixture
def books(store):
    """A payer holding 1000 CNY (funded from outside) and a merchant holding nothing."""

    def work(unit):
        ledger.open_account(unit, PAYER, "payer", "CNY")
        ledger.open_account(unit, SHOP, "merchant", "CNY")
        ledger.fund(unit, transfer_id="fund_1", account_id=PAYER, money=Money(1000, "CNY"), now=1.0)

    store.run(work)
    return store


def pay(store, amount, *, source=PAYER, destination=SHOP, currency="CNY", transfer_id="t_1"):
    store.run(
        lambda unit: ledger.transfer(
            unit,
            transfer_id=transfer_id,
            kind="payment",
            reference="pay_1",
            source=source,
            destination=destination,
            money=Money(amount, currency),
            now=2.0,
        )
    )


def snapshot(store):
    return {table: rows(store.db, table) for table in ("transfers", "entries")} | {
        "balances": [
            tuple(row) for row in store.db.query("SELECT account_id, balance FROM accounts ORDER BY 1")
        ]
    }


def test_account_ids_name_their_owner_and_currency():
    assert ledger.payer_account("tok_1", "USD") == "payer:tok_1:USD"
    assert ledger.merchant_account("M1", "JPY") == "merchant:M1:JPY"
    assert ledger.FUNDING_ACCOUNT == "external:funding"


def test_funding_comes_from_the_external_account_which_may_go_negative(books):
    assert books.balance(PAYER) == 1000 and books.balance(FUNDING) == -1000
    transfer = books.db.query_one("SELECT kind, reference, currency, amount FROM transfers")
    assert tuple(transfer) == ("funding", PAYER, "CNY", 1000)
    assert books.db.query_one("SELECT kind FROM accounts WHERE account_id = ?", (FUNDING,))[0] == "external"


def test_a_transfer_writes_one_row_and_two_entries_that_sum_to_zero(books):
    pay(books, 300)
    assert (books.balance(PAYER), books.balance(SHOP)) == (700, 300)
    entries = books.db.query(
        "SELECT account_id, amount FROM entries WHERE transfer_id = 't_1' ORDER BY amount"
    )
    assert [tuple(entry) for entry in entries] == [(PAYER, -300), (SHOP, 300)]
    row = books.db.query_one(
        "SELECT kind, reference, currency, amount, created_at FROM transfers WHERE transfer_id = 't_1'"
    )
    assert tuple(row) == ("payment", "pay_1", "CNY", 300, 2.0)
    assert ledger.check_invariants(books.ledger_report()) == {"CNY": 0}


def test_the_whole_balance_may_be_spent_but_not_one_unit_more(books):
    before = snapshot(books)
    with pytest.raises(ledger.InsufficientFunds, match="holds 1000, needs 1001"):
        pay(books, 1001)
    assert snapshot(books) == before  # nothing written
    pay(books, 1000)
    assert books.balance(PAYER) == 0


def test_insufficient_funds_writes_nothing_even_after_other_work_in_the_unit(books):
    """The refusal comes before the ledger writes; the caller's unit of work rolls back the rest."""
    before = snapshot(books)

    def work(unit):
        ledger.open_account(unit, ledger.payer_account("tok_bob", "CNY"), "payer", "CNY")
        ledger.transfer(
            unit,
            transfer_id="t_x",
            kind="payment",
            reference="r",
            source=PAYER,
            destination=SHOP,
            money=Money(5000, "CNY"),
            now=3.0,
        )

    with pytest.raises(ledger.InsufficientFunds):
        books.run(work)
    assert snapshot(books) == before


@pytest.mark.parametrize(
    "source, destination, error, words",
    [
        (PAYER, PAYER, ledger.LedgerError, "two different accounts"),
        ("payer:nobody:CNY", SHOP, ledger.UnknownAccount, "no account 'payer:nobody:CNY'"),
        (PAYER, "merchant:nobody:CNY", ledger.UnknownAccount, "no account 'merchant:nobody:CNY'"),
    ],
)
def test_a_transfer_needs_two_existing_accounts(books, source, destination, error, words):
    before = snapshot(books)
    with pytest.raises(error, match=words):
        pay(books, 10, source=source, destination=destination)
    assert snapshot(books) == before


def test_both_accounts_must_hold_the_transfers_currency(books):
    usd_shop = ledger.merchant_account("M100001", "USD")
    books.run(lambda unit: ledger.open_account(unit, usd_shop, "merchant", "USD"))
    before = snapshot(books)
    with pytest.raises(ledger.UnknownAccount, match=f"'{usd_shop}' holds USD, not CNY"):
        pay(books, 10, destination=usd_shop)  # the destination differs
    with pytest.raises(ledger.UnknownAccount, match=f"'{PAYER}' holds CNY, not USD"):
        pay(books, 10, destination=usd_shop, currency="USD")  # the source differs
    assert snapshot(books) == before


def test_open_account_checks_kind_and_currency_and_keeps_an_existing_balance(books):
    with pytest.raises(ledger.LedgerError, match="not 'bank'"):
        books.run(lambda unit: ledger.open_account(unit, "bank:1", "bank", "CNY"))
    with pytest.raises(ValueError):
        books.run(lambda unit: ledger.open_account(unit, "payer:x:XXX", "payer", "XXX"))
    books.run(lambda unit: ledger.open_account(unit, PAYER, "payer", "CNY"))  # again: changes nothing
    assert books.balance(PAYER) == 1000 and books.balance("payer:x:XXX") is None
    assert ledger.ACCOUNT_KINDS == ("payer", "merchant", "external")


def test_the_table_refuses_an_overdraft_should_a_bug_skip_the_check(books):
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        books.run(
            lambda unit: unit.write_transfer(
                transfer_id="t_bug",
                kind="payment",
                reference="r",
                source=PAYER,
                destination=SHOP,
                money=Money(5000, "CNY"),
                now=3.0,
            )
        )
    assert books.balance(PAYER) == 1000


# -- the invariants, judged from a report ------------------------------------------------------------
@pytest.mark.parametrize(
    "report, words",
    [
        (LedgerReport(unbalanced_transfers=["t_1"]), "do not sum to zero: ['t_1']"),
        (LedgerReport(drifted_accounts=[PAYER]), f"differ from their entries: ['{PAYER}']"),
        (LedgerReport(negative_accounts=[PAYER]), f"negative balances: ['{PAYER}']"),
        (LedgerReport(totals={"CNY": 0, "USD": 5}), "created or destroyed"),
        (LedgerReport(totals={"CNY": -1}), "created or destroyed"),
    ],
)
def test_each_broken_invariant_is_refused_alone(report, words):
    with pytest.raises(ledger.LedgerInconsistent, match=words.replace("[", r"\[").replace("]", r"\]")):
        ledger.check_invariants(report)


def test_sound_books_return_their_totals():
    totals = {"CNY": 0, "USD": 0}
    judged = ledger.check_invariants(LedgerReport(totals=totals))
    assert judged == totals and judged is not totals
    assert ledger.check_invariants(LedgerReport()) == {}


# -- the invariants, on books corrupted with raw SQL -----------------------------------------------------
def corrupt(store, *statements):
    with store.db.transaction() as connection:
        for statement in statements:
            connection.execute(statement)


def test_a_balance_that_drifted_from_its_entries_is_caught(books):
    """Two balances edited by hand, in opposite directions: the totals still sum to zero."""
    pay(books, 300)
    corrupt(
        books,
        f"UPDATE accounts SET balance = balance + 50 WHERE account_id = '{SHOP}'",
        f"UPDATE accounts SET balance = balance - 50 WHERE account_id = '{PAYER}'",
    )
    report = books.ledger_report()
    assert sorted(report.drifted_accounts) == sorted([SHOP, PAYER])
    assert (
        report.unbalanced_transfers == [] and report.negative_accounts == [] and report.totals == {"CNY": 0}
    )
    with pytest.raises(ledger.LedgerInconsistent, match="balances that differ from their entries"):
        ledger.check_invariants(report)


def test_an_account_without_entries_must_hold_zero(books):
    idle = ledger.payer_account("tok_idle", "CNY")
    books.run(lambda unit: ledger.open_account(unit, idle, "payer", "CNY"))
    assert books.ledger_report().drifted_accounts == []
    corrupt(books, f"UPDATE accounts SET balance = 7 WHERE account_id = '{idle}'")
    assert books.ledger_report().drifted_accounts == [idle]


def test_a_transfer_whose_entries_do_not_sum_to_zero_is_caught(books):
    pay(books, 300)
    corrupt(books, f"UPDATE entries SET amount = 299 WHERE transfer_id = 't_1' AND account_id = '{SHOP}'")
    report = books.ledger_report()
    assert report.unbalanced_transfers == ["t_1"] and report.drifted_accounts == [SHOP]
    with pytest.raises(ledger.LedgerInconsistent, match="do not sum to zero"):
        ledger.check_invariants(report)


def test_a_negative_payer_balance_is_caught(books):
    """An overdraft written past the rules and the table's CHECK (switched off, as a careless fix might)."""
    books.db.query("PRAGMA ignore_check_constraints = ON")
    books.run(
        lambda unit: unit.write_transfer(
            transfer_id="t_overdraft",
            kind="payment",
            reference="r",
            source=PAYER,
            destination=FUNDING,
            money=Money(1005, "CNY"),
            now=3.0,
        )
    )
    books.db.query("PRAGMA ignore_check_constraints = OFF")
    report = books.ledger_report()
    assert report.negative_accounts == [PAYER]
    assert report.unbalanced_transfers == report.drifted_accounts == [] and report.totals == {"CNY": 0}
    with pytest.raises(ledger.LedgerInconsistent, match="negative balances"):
        ledger.check_invariants(report)


def test_an_external_account_below_zero_is_not_negative_in_that_sense(books):
    assert books.ledger_report().negative_accounts == []  # the funding account holds -1000


def test_money_destroyed_with_a_deleted_account_is_caught(books):
    """The payer's account deleted (no foreign keys): transfers balance, nothing drifts, the sum is off."""
    books.db.query("PRAGMA foreign_keys = OFF")
    corrupt(books, f"DELETE FROM accounts WHERE account_id = '{PAYER}'")
    books.db.query("PRAGMA foreign_keys = ON")
    report = books.ledger_report()
    assert report.unbalanced_transfers == report.drifted_accounts == report.negative_accounts == []
    assert report.totals == {"CNY": -1000}
    with pytest.raises(ledger.LedgerInconsistent, match="money was created or destroyed"):
        ledger.check_invariants(report)


def test_totals_are_per_currency(books):
    usd = ledger.payer_account("tok_alice", "USD")

    def work(unit):
        ledger.open_account(unit, usd, "payer", "USD")
        ledger.fund(unit, transfer_id="fund_usd", account_id=usd, money=Money(5, "USD"), now=1.0)

    books.run(work)
    assert books.ledger_report().totals == {"CNY": 0, "USD": 0}
    assert books.balance("external:funding:USD") == -5
