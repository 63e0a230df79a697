"""An in-process payment system per test, on pinned keys and a clock the test controls.

Every test that takes ``world`` or ``file_world`` runs twice: on SQLite (the embedded default) and
on PostgreSQL. The PostgreSQL runs need a server: they skip, saying how to start one, unless
``PAYCORE_TEST_DATABASE_URL`` names one (``.ci/run`` starts one and sets it). Each test gets
schemas of its own there, dropped afterwards.
"""

import itertools
import os

import pytest

from paycore.payment import FakeClock
from paycore.payment.runtime.world import build_world, open_stores
from tests.conftest import load_pinned_key

START = 1_764_201_600  # 2025-11-27 00:00 UTC: cards expiring 12/30 are valid
DATABASE_URL = os.environ.get("PAYCORE_TEST_DATABASE_URL")
NO_SERVER = (
    "no PostgreSQL server for the tests: start a throw-away one with `.ci/postgres start /tmp/paycore-pg` "
    "and export PAYCORE_TEST_DATABASE_URL=<the URL it prints> (`.ci/run` does this)"
)
_schemas = itertools.count()


def drop_schemas(prefix: str) -> None:
    """Delete a test's PostgreSQL schemas (both parties')."""
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as connection:
        for party in ("gateway", "merchant"):
            connection.execute(f"DROP SCHEMA IF EXISTS {prefix}_{party} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    """Which database the parties keep their tables in."""
    if request.param == "postgresql" and not DATABASE_URL:
        pytest.skip(NO_SERVER)
    return request.param


@pytest.fixture
def stores(backend):
    """``open()`` gives both parties' stores on this test's database, the same ones each time it is
    called (a restart); ``None`` on SQLite, where the data directory decides."""

    class Stores:
        prefix = f"t{os.getpid()}_{next(_schemas)}"

        def open(self):
            return None if backend == "sqlite" else open_stores(None, DATABASE_URL, prefix=self.prefix)

    made = Stores()
    yield made
    if backend == "postgresql":
        drop_schemas(made.prefix)


@pytest.fixture(scope="session")
def merchant_key():
    return load_pinned_key(2048)


@pytest.fixture(scope="session")
def gateway_key():
    return load_pinned_key(2048, "b")


@pytest.fixture(scope="session")
def gateway_encryption_key():
    return load_pinned_key(2048, "d")


@pytest.fixture(scope="session")
def attacker_key():
    return load_pinned_key(2048, "c")


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def world(clock, merchant_key, gateway_key, gateway_encryption_key, stores):
    """Gateway and merchant in memory (SQLite) or in their own schemas (PostgreSQL), demo payers seeded."""
    built = build_world(
        clock=clock,
        merchant_key=merchant_key,
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
        stores=stores.open(),
    )
    yield built
    built.close()


@pytest.fixture
def file_world(tmp_path, clock, merchant_key, gateway_key, gateway_encryption_key, stores):
    """The same, with durable SQLite files under a temporary data directory (or PostgreSQL schemas)."""
    built = build_world(
        clock=clock,
        data_dir=tmp_path / "data",
        merchant_key=merchant_key,
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
        stores=stores.open(),
    )
    yield built
    built.close()


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """`paycore serve` running in this process on free loopback ports, shared by the hardening tests."""
    from tests.payment.hardening_helpers import Live

    running = Live.start(tmp_path_factory.mktemp("live") / "data")
    yield running
    running.close()


@pytest.fixture(autouse=True)
def _fresh_pinned_keys():
    """Each test draws the committed keys afresh (tests/payment/hardening_helpers.py pinned_keygen)."""
    from tests.payment import hardening_helpers

    hardening_helpers._handed_out.clear()
    yield
