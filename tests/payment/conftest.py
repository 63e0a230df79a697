"""An in-process payment system per test, on pinned keys and a clock the test controls."""

import pytest

from paycore.payment import FakeClock
from paycore.payment.runtime.world import build_world
from tests.conftest import load_pinned_key

START = 1_764_201_600  # 2025-11-27 00:00 UTC: cards expiring 12/30 are valid


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
def world(clock, merchant_key, gateway_key, gateway_encryption_key):
    """Gateway and merchant in memory, demo payers seeded."""
    built = build_world(
        clock=clock,
        merchant_key=merchant_key,
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
    )
    yield built
    built.close()


@pytest.fixture
def file_world(tmp_path, clock, merchant_key, gateway_key, gateway_encryption_key):
    """The same, with durable SQLite files under a temporary data directory."""
    built = build_world(
        clock=clock,
        data_dir=tmp_path / "data",
        merchant_key=merchant_key,
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
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
