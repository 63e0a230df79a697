"""Keys for the production-path tests: pinned, so the suite is fast and deterministic."""

import pytest

from tests.conftest import load_pinned_key


@pytest.fixture(scope="session")
def key2048():
    return load_pinned_key(2048)


@pytest.fixture(scope="session")
def key3072():
    return load_pinned_key(3072)


@pytest.fixture(scope="session")
def key1024():
    """Too small for the production path: every function must refuse it."""
    return load_pinned_key(1024)
