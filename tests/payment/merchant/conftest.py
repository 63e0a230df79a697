"""The merchant alone: its store in memory, and a Merchant wired by hand to a fake gateway link."""

import pytest

from paycore.payment.merchant.client import GatewayClient
from paycore.payment.merchant.service import Merchant
from paycore.payment.merchant.sqlite import SQLiteMerchantStore
from paycore.payment.protocol.signing import MessageSigner, MessageVerifier, PinnedKey
from tests.payment.builders import MERCHANT_ID, NOTIFY_URL
from tests.payment.fakes import FAKE_GATEWAY_URL, FakeGatewayLink


@pytest.fixture
def store():
    opened = SQLiteMerchantStore(":memory:")
    yield opened
    opened.close()


@pytest.fixture
def fake_gateway(gateway_key, gateway_encryption_key, merchant_key, clock):
    """A fake gateway link that answers like a gateway, signed with the gateway's signing key; it opens
    payers sealed to the gateway's encryption key."""
    return FakeGatewayLink(
        gateway_key, merchant_key.public_key(), clock, encryption_key=gateway_encryption_key
    )


@pytest.fixture
def gateway_pinned(gateway_key, clock):
    """The merchant's verifier: the gateway's signing key and algorithm, pinned."""
    return MessageVerifier(PinnedKey("gateway", gateway_key.public_key(), "RSA-PSS-SHA256"), clock)


@pytest.fixture
def client(merchant_key, gateway_pinned, fake_gateway, clock):
    return GatewayClient(MessageSigner(merchant_key), gateway_pinned, fake_gateway, FAKE_GATEWAY_URL, clock)


@pytest.fixture
def merchant(store, client, gateway_encryption_key, clock):
    """A Merchant wired by hand: its store in memory, its client talking to the fake gateway, payers
    sealed to the gateway's encryption key."""
    return Merchant(
        store,
        client,
        clock,
        merchant_id=MERCHANT_ID,
        notify_url=NOTIFY_URL,
        gateway_encryption_key=gateway_encryption_key.public_key(),
        admin_token="admin-token-for-tests",
    )
