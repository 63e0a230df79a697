"""The gateway's registry of merchant keys and its simulated issuer, alone on the store in memory."""

import pytest

from paycore import secure
from paycore.errors import InvalidKey
from paycore.payment.clock import FakeClock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway.issuer import Issuer, Payer
from paycore.payment.gateway.merchants import MerchantRegistry
from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money
from tests.conftest import load_pinned_key
from tests.payment.helpers import rows

VISA = Card("4111111111111111", "12/30", "123")
ORIGINS = ("http://merchant.paycore.test:80",)


# -- merchant keys -------------------------------------------------------------------------------------
def test_a_registered_key_resolves_to_its_merchant_and_algorithm(store, merchant_key):
    registry = MerchantRegistry(store)
    key_id = registry.register(
        "M100001",
        "Demo Shop",
        merchant_key.public_key(),
        "RSA2",
        notify_origins=["HTTP://Merchant.Paycore.Test:80"],
    )
    assert key_id == secure.key_id(merchant_key)
    trusted = registry(key_id)
    assert (trusted.owner, trusted.key_id, trusted.algorithm) == (
        "M100001",
        key_id,
        secure.SignatureAlgorithm.PKCS1V15_SHA256,
    )
    assert store.merchant_key(key_id).merchant_name == "Demo Shop"
    assert store.notify_origins("M100001") == ORIGINS  # normalised
    assert MerchantRegistry(store)(key_id) == trusted  # read back from the store by a fresh registry


def test_an_unregistered_key_is_unknown(store, attacker_key):
    with pytest.raises(PaymentError) as refusal:
        MerchantRegistry(store)(secure.key_id(attacker_key))
    assert (refusal.value.code, refusal.value.message) == (
        ErrorCode.UNKNOWN_KEY,
        "no merchant key has this key id",
    )


def test_registering_again_replaces_the_cached_key(store, merchant_key):
    registry = MerchantRegistry(store)
    key_id = registry.register("M100001", "Demo Shop", merchant_key.public_key(), notify_origins=ORIGINS)
    assert registry(key_id).algorithm is secure.SignatureAlgorithm.PSS_SHA256
    registry.register(
        "M100001", "Demo Shop", merchant_key.public_key(), "RSA-PKCS1v15-SHA256", notify_origins=ORIGINS
    )
    assert registry(key_id).algorithm is secure.SignatureAlgorithm.PKCS1V15_SHA256


def test_a_key_under_2048_bits_is_refused_at_registration(store):
    with pytest.raises(InvalidKey, match="2048"):
        MerchantRegistry(store).register(
            "M1", "Tiny", load_pinned_key(1024).public_key(), notify_origins=ORIGINS
        )
    assert rows(store.db, "merchant_keys") == rows(store.db, "merchant_notify_origins") == 0


# -- the issuer ---------------------------------------------------------------------------------------
@pytest.fixture
def issuer(store, clock):
    return Issuer(store, clock, b"k" * 16)


def test_the_card_token_secret_must_be_long_enough(store, clock):
    with pytest.raises(ValueError, match="16 bytes"):
        Issuer(store, clock, b"k" * 15)


def test_a_card_is_known_by_its_keyed_token_and_a_wallet_by_its_id(issuer):
    assert issuer.identify(VISA) == Payer(VISA.token(b"k" * 16), "card", "411111******1111")
    assert issuer.identify(Wallet("W-alice")) == Payer("W-alice", "wallet", "W-al***ce")
    assert issuer.account_of(VISA, "USD") == f"payer:{VISA.token(b'k' * 16)}:USD"


def test_a_card_past_its_month_is_refused_before_any_lookup(store):
    end_of_november = Issuer(store, FakeClock(1_764_547_199), b"k" * 16)  # 2025-11-30 23:59:59 UTC
    assert end_of_november.refusal_before_lookup(Card("4111111111111111", "11/25", "123")) is None
    first_of_december = Issuer(store, FakeClock(1_764_547_200), b"k" * 16)
    assert first_of_december.refusal_before_lookup(Card("4111111111111111", "11/25", "123")) == "CARD_EXPIRED"
    assert first_of_december.refusal_before_lookup(Wallet("W-alice")) is None


def test_an_unknown_payer_is_declined_by_kind(issuer):
    assert issuer.unknown_payer_code(Payer("t", "card", "x")) == "CARD_DECLINED"
    assert issuer.unknown_payer_code(Payer("W-x", "wallet", "x")) == "WALLET_NOT_FOUND"


def test_opening_an_account_funds_it_once(issuer, store):
    account = issuer.open_account(VISA, Money(700, "CNY"))
    assert store.balance(account) == 700
    assert issuer.open_account(VISA, Money(999, "CNY")) == account  # already known: nothing changes
    assert store.balance(account) == 700 and rows(store.db, "transfers") == 1
    known = store.run(lambda unit: unit.payer_method(VISA.token(b"k" * 16)))
    assert (known.method_id, known.kind, known.display, known.account_id) == (
        VISA.token(b"k" * 16),
        "card",
        "411111******1111",
        account,
    )
    assert len(known.cvv_check) == 64  # an HMAC of the CVV, which is kept nowhere
    assert issuer.refusal_of(VISA, known) is None
    assert issuer.refusal_of(Card("4111111111111111", "12/30", "124"), known) == "CVV_MISMATCH"


def test_expiry_is_judged_in_utc_whatever_the_servers_time_zone(store, monkeypatch):
    """At 23:59:59 UTC on 30 November it is already December at UTC+8: the card is still valid."""
    import time

    monkeypatch.setenv("TZ", "CST-8")  # POSIX for UTC+8, no time-zone database needed
    time.tzset()
    try:
        assert time.localtime(1_764_547_199).tm_mon == 12
        issuer = Issuer(store, FakeClock(1_764_547_199), b"k" * 16)
        assert issuer.refusal_before_lookup(Card("4111111111111111", "11/25", "123")) is None
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_funding_transfer_is_recorded_as_such(issuer, store):
    account = issuer.open_account(VISA, Money(700, "CNY"))
    row = store.db.query_one("SELECT transfer_id, kind, reference FROM transfers")
    assert row["transfer_id"].startswith("fund_") and (row["kind"], row["reference"]) == ("funding", account)


class CountingStore:
    """The gateway's store, counting how often a merchant key is read from it."""

    def __init__(self, inner):
        self.inner, self.reads = inner, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def merchant_key(self, key_id):
        self.reads += 1
        return self.inner.merchant_key(key_id)


def test_a_key_is_read_and_parsed_once_then_cached(store, merchant_key):
    counting = CountingStore(store)
    registry = MerchantRegistry(counting)
    key_id = registry.register("M100001", "Demo Shop", merchant_key.public_key(), notify_origins=ORIGINS)
    first = registry(key_id)
    assert registry(key_id) is first and registry(key_id) is first
    assert counting.reads == 1


def test_forgetting_a_merchant_drops_its_cached_notify_origins(store, merchant_key):
    """Notify origins are cached per merchant; when they change in the store (a dialect merchant is
    registered again), ``forget`` makes the next check read the new ones."""
    registry = MerchantRegistry(store)
    registry.register("M100001", "Demo Shop", merchant_key.public_key(), "RSA2", notify_origins=ORIGINS)
    registry.check_notify_url("M100001", "http://merchant.paycore.test/notify")  # cached now
    moved = ("http://shop.example:8080",)
    store.run(lambda unit: unit.save_notify_origins("M100001", moved))
    registry.check_notify_url("M100001", "http://merchant.paycore.test/notify")  # the cache still answers
    registry.forget("M100001")
    registry.check_notify_url("M100001", "http://shop.example:8080/notify")
    with pytest.raises(PaymentError) as refusal:
        registry.check_notify_url("M100001", "http://merchant.paycore.test/notify")
    assert refusal.value.code is ErrorCode.NOTIFY_URL_NOT_ALLOWED


@pytest.mark.parametrize(
    "url, origin",
    [
        ("http://Shop.example/paycore/notify", "http://shop.example:80"),
        ("https://shop.example/n", "https://shop.example:443"),
        ("http://[::1]:8001/paycore/notify", "http://[::1]:8001"),  # IPv6 keeps its brackets
        ("ftp://shop.example/n", None),
        ("http:///n", None),  # no host
        ("/paycore/notify", None),
    ],
)
def test_the_origin_of_a_notify_url(url, origin):
    from paycore.payment.gateway.merchants import origin_of

    assert origin_of(url) == origin
