"""The SQLite wrapper: write transactions roll back on error, commit for everyone, and stay durable."""

import threading

import pytest

from paycore.payment.storage import Database

SCHEMA = "CREATE TABLE IF NOT EXISTS t (x INTEGER PRIMARY KEY);"


@pytest.fixture(params=["memory", "file"])
def db(request, tmp_path):
    database = Database(":memory:" if request.param == "memory" else tmp_path / "t.sqlite3", SCHEMA)
    yield database
    database.close()


def test_a_failing_block_rolls_back(db):
    with pytest.raises(RuntimeError), db.transaction() as connection:
        connection.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert db.query("SELECT * FROM t") == []


def test_commits_are_visible_to_other_threads(db):
    with db.transaction(durable=False) as connection:
        connection.execute("INSERT INTO t VALUES (1)")
    seen = []
    thread = threading.Thread(target=lambda: seen.extend(row[0] for row in db.query("SELECT x FROM t")))
    thread.start()
    thread.join()
    assert seen == [1]


def test_file_databases_use_wal_and_flush_exactly_the_durable_commits(tmp_path):
    db = Database(tmp_path / "t.sqlite3", SCHEMA)
    assert db.query_one("PRAGMA journal_mode")[0] == "wal"
    assert db.query_one("PRAGMA synchronous")[0] == 2  # FULL
    with db.transaction(durable=False) as connection:
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: no flush at commit
        connection.execute("INSERT INTO t VALUES (1)")
    with db.transaction() as connection:
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again for a durable one
        connection.execute("INSERT INTO t VALUES (2)")
    with pytest.raises(ValueError), db.transaction(durable=False):
        raise ValueError("a rollback")
    assert db.commits == {"durable": 1, "relaxed": 1}
    db.close()


def test_a_second_opening_keeps_the_data(tmp_path):
    first = Database(tmp_path / "t.sqlite3", SCHEMA)
    with first.transaction() as connection:
        connection.execute("INSERT INTO t VALUES (7)")
    first.close()
    second = Database(tmp_path / "t.sqlite3", SCHEMA)
    assert [row[0] for row in second.query("SELECT x FROM t")] == [7]
    second.close()
