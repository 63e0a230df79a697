"""The gateway's store in memory, for its unit tests."""

import pytest

from paycore.payment.gateway.sqlite import SQLiteGatewayStore


@pytest.fixture
def store():
    opened = SQLiteGatewayStore(":memory:")
    yield opened
    opened.close()
