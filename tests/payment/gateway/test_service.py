"""The Gateway service alone: requests signed with the protocol's MessageSigner, handlers called directly.

No merchant service and no HTTP: each test builds the bytes a merchant would send (see
tests/payment/builders.py), calls ``handle_payment`` / ``handle_query`` / ``handle_refund``, and
checks the signed answer, the books, the payment records and the outbox. The gateway holds two
key pairs: payers are sealed to its encryption key, and its answers are verified with its signing
key; a request whose signature does not check out is refused unsigned.
"""

import json

import pytest

from paycore import secure
from paycore.payment.gateway import idempotency, ledger
from paycore.payment.gateway.service import Gateway
from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money
from paycore.payment.protocol import (
    PAYMENTS_PATH,
    REFUNDS_PATH,
    SIGNATURE_HEADERS,
    envelope_context,
    payment_path,
)
from paycore.payment.protocol.signing import MessageSigner, MessageVerifier, PinnedKey
from tests.payment.builders import MERCHANT_ID, NOTIFY_URL, payment_body, refund_body, signed
from tests.payment.helpers import has_a_message, rows

VISA = Card("4111111111111111", "12/30", "123")
POOR_CARD = Card("4000000000000002", "09/31", "123")
SHOP = ledger.merchant_account(MERCHANT_ID, "CNY")
ORIGINS = ("http://merchant.paycore.test:80",)
"""Where NOTIFY_URL lies: the notify origin the demo merchant registers."""
CNY = lambda value: Money(value, "CNY")  # noqa: E731


def new_gateway(store, gateway_key, gateway_encryption_key, clock, **options):
    """A Gateway on its two key pairs: one signs its answers, payers are sealed to the other."""
    return Gateway(
        store, gateway_key, clock, encryption_key=gateway_encryption_key, token_secret=b"t" * 32, **options
    )


@pytest.fixture
def gateway(store, gateway_key, gateway_encryption_key, merchant_key, clock):
    service = new_gateway(store, gateway_key, gateway_encryption_key, clock)
    service.register_merchant(MERCHANT_ID, "Demo Shop", merchant_key.public_key(), notify_origins=ORIGINS)
    service.open_card_account(VISA, CNY(10_000))
    service.open_card_account(POOR_CARD, CNY(50))
    service.open_wallet_account(Wallet("W-alice"), CNY(500))
    return service


@pytest.fixture
def signer(merchant_key):
    return MessageSigner(merchant_key)


class Caller:
    """A merchant's SDK reduced to the protocol: seal, sign, call the handler, verify the answer.

    Payers are sealed to the gateway's encryption key; answers are checked with its signing key.
    """

    def __init__(self, gateway, signer, clock, gateway_key, gateway_encryption_key):
        self.gateway, self.signer, self.clock = gateway, signer, clock
        self.sealed_to = gateway_encryption_key.public_key()
        self.answers = MessageVerifier(
            PinnedKey("gateway", gateway_key.public_key(), "RSA-PSS-SHA256"), clock
        )

    def body(self, out_trade_no, amount=None, method=VISA, **kwargs):
        return payment_body(self.sealed_to, out_trade_no, amount or CNY(100), method, **kwargs)

    def headers(self, method, target, body, **kwargs):
        return signed(self.signer, method, target, body, timestamp=self.clock.now(), **kwargs)

    def verified(self, reply, headers):
        """The answer's JSON, after checking the gateway signed it for this request."""
        self.answers.verify_response(reply.status, headers["Paycore-Nonce"], reply.headers, reply.body)
        return json.loads(reply.body)

    def pay_reply(self, out_trade_no, amount=None, method=VISA, *, key=None, body=None, **kwargs):
        """The gateway's raw reply to a payment, and the headers the request was sent with."""
        body = body or self.body(out_trade_no, amount, method, **kwargs)
        headers = self.headers("POST", PAYMENTS_PATH, body, idempotency_key=key)
        return self.gateway.handle_payment(headers, body), headers

    def pay(self, out_trade_no, amount=None, method=VISA, *, key=None, body=None, **kwargs):
        reply, headers = self.pay_reply(out_trade_no, amount, method, key=key, body=body, **kwargs)
        return reply.status, self.verified(reply, headers)

    def query(self, out_trade_no):
        target = payment_path(out_trade_no)
        headers = self.headers("GET", target, b"")
        reply = self.gateway.handle_query(target, headers, out_trade_no)
        return reply.status, self.verified(reply, headers)

    def refund(self, out_trade_no, out_refund_no, amount, *, key=None, **kwargs):
        body = refund_body(out_trade_no, out_refund_no, amount, **kwargs)
        headers = self.headers("POST", REFUNDS_PATH, body, idempotency_key=key)
        reply = self.gateway.handle_refund(headers, body)
        return reply.status, self.verified(reply, headers)


@pytest.fixture
def caller(gateway, signer, clock, gateway_key, gateway_encryption_key):
    return Caller(gateway, signer, clock, gateway_key, gateway_encryption_key)


def payer(gateway, card=VISA):
    return gateway.balance(gateway.issuer.account_of(card, "CNY"))


def outbox(gateway):
    return [
        (row["merchant_id"], row["url"], json.loads(row["body"]))
        for row in gateway.db.query("SELECT merchant_id, url, body FROM outbox ORDER BY created_at, rowid")
    ]


def code(document):
    """The refusal's code; every refusal also carries a sentence for people."""
    assert has_a_message(document)
    return document["error"]["code"]


def unsigned(reply):
    """A refusal of a request whose signature did not check out: JSON, and no signature of the gateway's."""
    assert not {name.lower() for name in SIGNATURE_HEADERS} & {name.lower() for name in reply.headers}
    assert reply.headers["Content-Type"] == "application/json"
    return reply.status, json.loads(reply.body)


# -- payments ------------------------------------------------------------------------------------------
def test_a_payment_moves_the_money_records_it_and_queues_its_notification(gateway, caller, clock):
    status, answer = caller.pay("ord-T-1", CNY(2500))
    assert status == 200
    assert answer == {
        "payment_id": answer["payment_id"],
        "merchant_id": MERCHANT_ID,
        "out_trade_no": "ord-T-1",
        "status": "SUCCEEDED",
        "amount": {"value": 2500, "currency": "CNY"},
        "refunded": 0,
        "payer": {"type": "card", "display": "411111******1111"},
        "failure_code": None,
        "created_at": int(clock.now()),
    }
    assert answer["payment_id"].startswith("pay_")
    assert (payer(gateway), gateway.balance(SHOP)) == (7500, 2500)
    assert gateway.check_ledger() == {"CNY": 0}
    [(merchant, url, event)] = outbox(gateway)
    assert (merchant, url, event["type"], event["data"]) == (
        MERCHANT_ID,
        NOTIFY_URL,
        "payment.succeeded",
        answer,
    )
    assert event["event_id"].startswith("evt_") and event["created_at"] == int(clock.now())
    record = gateway.store.find_payment(MERCHANT_ID, "ord-T-1")
    assert record.payer_account == gateway.issuer.account_of(VISA, "CNY") and record.resource() == answer


def test_a_wallet_pays_and_is_shown_masked(gateway, caller):
    _, answer = caller.pay("ord-T-w", CNY(200), Wallet("W-alice"))
    assert (answer["status"], answer["payer"]) == ("SUCCEEDED", {"type": "wallet", "display": "W-al***ce"})
    assert gateway.balance(gateway.issuer.account_of(Wallet("W-alice"), "CNY")) == 300


@pytest.mark.parametrize(
    "method, amount, failure",
    [
        (POOR_CARD, CNY(51), "INSUFFICIENT_FUNDS"),
        (Card("6011111111111117", "01/30", "123"), CNY(100), "CARD_DECLINED"),  # unknown to the issuer
        (Card("4111111111111111", "11/30", "123"), CNY(100), "CARD_DECLINED"),  # the wrong expiry
        (Card("4111111111111111", "12/30", "124"), CNY(100), "CVV_MISMATCH"),  # the wrong CVV
        (Card("4111111111111111", "10/25", "123"), CNY(100), "CARD_EXPIRED"),  # before 2025-11
        (Wallet("W-nobody"), CNY(100), "WALLET_NOT_FOUND"),
        (VISA, Money(100, "USD"), "CURRENCY_NOT_SUPPORTED"),
    ],
)
def test_a_declined_payment_is_recorded_and_notified_but_moves_nothing(
    gateway, caller, method, amount, failure
):
    entries = rows(gateway.db, "entries")
    status, answer = caller.pay("ord-T-d", amount, method)
    assert (status, answer["status"], answer["failure_code"]) == (200, "FAILED", failure)
    assert rows(gateway.db, "entries") == entries and payer(gateway) == 10_000
    assert gateway.store.find_payment(MERCHANT_ID, "ord-T-d").status == "FAILED"
    [(_, _, event)] = outbox(gateway)
    assert (event["type"], event["data"]) == ("payment.failed", answer)
    gateway.check_ledger()


def test_the_whole_balance_can_be_paid(gateway, caller):
    assert caller.pay("ord-T-all", CNY(50), POOR_CARD)[1]["status"] == "SUCCEEDED"
    assert payer(gateway, POOR_CARD) == 0


def test_a_retry_with_the_same_key_gets_the_first_answer_freshly_signed(gateway, caller):
    body = caller.body("ord-T-2")
    first = caller.pay("ord-T-2", key="key-T-0002", body=body)
    entries = rows(gateway.db, "entries")
    again = caller.pay("ord-T-2", key="key-T-0002", body=body)  # verified against the retry's own nonce
    assert again == first and rows(gateway.db, "entries") == entries
    assert rows(gateway.db, "payments") == 1 and len(outbox(gateway)) == 1


def test_a_key_reused_for_another_payment_is_refused(gateway, caller):
    caller.pay("ord-T-3", key="key-T-0003")
    status, answer = caller.pay("ord-T-4", key="key-T-0003")
    assert (status, code(answer)) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert gateway.store.find_payment(MERCHANT_ID, "ord-T-4") is None


def test_a_claim_abandoned_by_a_crash_is_retaken_after_the_stale_delay(gateway, caller, clock):
    """The first request claimed the key and died before paying: a retry must not wait forever."""
    body = caller.body("ord-T-5")
    fingerprint = idempotency.fingerprint("POST", PAYMENTS_PATH, body)
    gateway.store.run(lambda unit: unit.insert_claim(MERCHANT_ID, "key-T-0005", fingerprint, clock.now()))
    clock.advance(idempotency.STALE_AFTER_SECONDS - 1)
    status, answer = caller.pay("ord-T-5", key="key-T-0005", body=body)
    assert (status, code(answer)) == (409, "REQUEST_IN_PROGRESS")
    clock.advance(1)
    status, answer = caller.pay("ord-T-5", key="key-T-0005", body=body)
    assert (status, answer["status"]) == (200, "SUCCEEDED")
    assert payer(gateway) == 10_000 - 100
    assert caller.pay("ord-T-5", key="key-T-0005", body=body) == (status, answer)  # and now it is stored


def test_a_refused_request_releases_its_key_so_the_same_request_can_run_again(gateway, caller):
    body = caller.body(
        "ord-T-6", sealed_for=(MERCHANT_ID, "ord-T-other")
    )  # the payer sealed for another order
    for _ in range(2):
        status, answer = caller.pay("ord-T-6", key="key-T-0006", body=body)
        assert (status, code(answer)) == (400, "PAYER_UNREADABLE")  # not REQUEST_IN_PROGRESS the second time
    assert gateway.store.run(lambda unit: unit.idempotency_record(MERCHANT_ID, "key-T-0006")) is None


def test_a_crash_inside_the_work_releases_the_key_and_propagates(
    store, gateway_key, gateway_encryption_key, merchant_key, clock
):
    """A bug, not a refusal: the exception goes on to the app (a 500), and the key is free again."""

    class CrashingStore:
        def __init__(self, inner):
            self.inner, self.crash = inner, False

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def run(self, work, *, durable=True):
            if self.crash and durable:  # the payment's unit of work, once
                self.crash = False
                raise RuntimeError("disk on fire")
            return self.inner.run(work, durable=durable)

    crashing = CrashingStore(store)
    gateway = new_gateway(crashing, gateway_key, gateway_encryption_key, clock)
    gateway.register_merchant(MERCHANT_ID, "Demo Shop", merchant_key.public_key(), notify_origins=ORIGINS)
    gateway.open_card_account(VISA, CNY(1000))
    caller = Caller(gateway, MessageSigner(merchant_key), clock, gateway_key, gateway_encryption_key)
    body = caller.body("ord-T-7")
    crashing.crash = True
    with pytest.raises(RuntimeError, match="disk on fire"):
        gateway.handle_payment(
            caller.headers("POST", PAYMENTS_PATH, body, idempotency_key="key-T-0007"), body
        )
    assert store.run(lambda unit: unit.idempotency_record(MERCHANT_ID, "key-T-0007")) is None
    assert caller.pay("ord-T-7", key="key-T-0007", body=body)[1]["status"] == "SUCCEEDED"


def test_an_out_trade_no_is_paid_once_whatever_the_key(gateway, caller):
    caller.pay("ord-T-8")
    entries = rows(gateway.db, "entries")
    status, answer = caller.pay("ord-T-8")
    assert (status, code(answer)) == (409, "DUPLICATE_OUT_TRADE_NO")
    assert "SUCCEEDED" in answer["error"]["message"] and rows(gateway.db, "entries") == entries


def test_the_body_must_name_the_signers_merchant(gateway, caller):
    status, answer = caller.pay("ord-T-9", merchant_id="M999999", sealed_for=(MERCHANT_ID, "ord-T-9"))
    assert (status, code(answer)) == (403, "MERCHANT_MISMATCH")
    assert rows(gateway.db, "payments") == 0


def test_an_idempotency_key_is_required_to_pay(gateway, caller):
    body = caller.body("ord-T-10")
    headers = caller.headers("POST", PAYMENTS_PATH, body)
    del headers["Idempotency-Key"]
    reply = gateway.handle_payment(headers, body)
    assert (reply.status, code(caller.verified(reply, headers))) == (400, "IDEMPOTENCY_KEY_REQUIRED")


@pytest.mark.parametrize(
    "payer_document, words",
    [(b"[1, 2]", "payer details must be a JSON object"), (b'{"type": "cash"}', "invalid payer")],
)
def test_a_sealed_payer_that_is_not_a_payment_method_is_invalid(
    gateway, caller, gateway_encryption_key, payer_document, words
):
    document = json.loads(caller.body("ord-T-11"))
    document["payer"] = secure.seal(
        gateway_encryption_key.public_key(),
        payer_document,
        associated_data=envelope_context(MERCHANT_ID, "ord-T-11"),
    ).to_dict()
    status, answer = caller.pay("ord-T-11", body=json.dumps(document).encode())
    assert (status, code(answer)) == (422, "INVALID_REQUEST") and words in answer["error"]["message"]


def test_an_envelope_sealed_to_the_gateways_signing_key_is_unreadable(gateway, caller, gateway_key):
    """One key pair, one job: the signing key opens no payer envelope."""
    body = payment_body(gateway_key.public_key(), "ord-T-15", CNY(100), VISA)
    status, answer = caller.pay("ord-T-15", body=body)
    assert (status, code(answer)) == (400, "PAYER_UNREADABLE")
    assert rows(gateway.db, "payments") == 0 and payer(gateway) == 10_000


def test_a_notify_url_off_the_merchants_registered_origins_is_refused(gateway, caller):
    for url in ("http://merchant.paycore.test:8080/paycore/notify", "http://10.0.0.1/paycore/notify"):
        status, answer = caller.pay("ord-T-16", notify_url=url)
        assert (status, code(answer)) == (422, "NOTIFY_URL_NOT_ALLOWED")
    assert rows(gateway.db, "payments") == 0 and outbox(gateway) == []
    assert (
        caller.pay("ord-T-16", notify_url="http://MERCHANT.paycore.test:80/other")[1]["status"] == "SUCCEEDED"
    )


def test_a_request_without_signature_headers_is_refused_unsigned(gateway):
    """Signing costs an RSA private-key operation: a request that does not authenticate gets none."""
    status, answer = unsigned(gateway.handle_payment({"Content-Type": "application/json"}, b"{}"))
    assert (status, code(answer)) == (401, "MALFORMED_HEADERS")
    assert rows(gateway.db, "seen_nonces") == rows(gateway.db, "idempotency_keys") == 0


def test_a_replayed_or_stale_request_moves_nothing(gateway, caller, clock):
    body = caller.body("ord-T-12")
    headers = caller.headers("POST", PAYMENTS_PATH, body)
    assert gateway.handle_payment(headers, body).status == 200
    replay = gateway.handle_payment(headers, body)
    assert (replay.status, code(caller.verified(replay, headers))) == (401, "REPLAYED_NONCE")
    stale_body = caller.body("ord-T-13")
    stale = signed(caller.signer, "POST", PAYMENTS_PATH, stale_body, timestamp=clock.now() - 301)
    reply = gateway.handle_payment(stale, stale_body)
    assert code(caller.verified(reply, stale)) == "TIMESTAMP_OUT_OF_WINDOW"
    assert rows(gateway.db, "payments") == 1 and payer(gateway) == 9_900


def test_the_registered_algorithm_is_the_only_one_accepted(gateway, caller, merchant_key):
    gateway.register_merchant(
        MERCHANT_ID, "Demo Shop", merchant_key.public_key(), "RSA2", notify_origins=ORIGINS
    )
    status, answer = unsigned(caller.pay_reply("ord-T-14")[0])
    assert (status, code(answer)) == (401, "UNSUPPORTED_ALGORITHM")
    caller.signer = MessageSigner(merchant_key, "RSA2")
    assert caller.pay("ord-T-14")[1]["status"] == "SUCCEEDED"


# -- queries -------------------------------------------------------------------------------------------
def test_a_query_answers_the_signers_own_payment_only(
    gateway, caller, attacker_key, clock, gateway_key, gateway_encryption_key
):
    _, paid = caller.pay("ord-T-20")
    assert caller.query("ord-T-20") == (200, paid)
    status, answer = caller.query("ord-T-none")
    assert (status, code(answer)) == (404, "PAYMENT_NOT_FOUND")
    gateway.register_merchant(
        "M200002", "Other Shop", attacker_key.public_key(), notify_origins=["https://other.example:443"]
    )
    other = Caller(gateway, MessageSigner(attacker_key), clock, gateway_key, gateway_encryption_key)
    assert code(other.query("ord-T-20")[1]) == "PAYMENT_NOT_FOUND"


def test_a_query_is_signed_for_its_exact_target(gateway, caller):
    caller.pay("ord-T-21")
    headers = caller.headers("GET", payment_path("ord-T-21"), b"")
    reply = gateway.handle_query(payment_path("ord-T-22"), headers, "ord-T-22")
    status, answer = unsigned(reply)
    assert (status, code(answer)) == (401, "INVALID_SIGNATURE")


# -- refunds -------------------------------------------------------------------------------------------
def test_partial_then_full_refunds_return_the_money_and_are_notified(gateway, caller, clock):
    caller.pay("ord-T-30", CNY(1000))
    status, partial = caller.refund("ord-T-30", "ord-T-30-R1", CNY(300))
    assert status == 200
    assert partial == {
        "refund_id": partial["refund_id"],
        "merchant_id": MERCHANT_ID,
        "out_refund_no": "ord-T-30-R1",
        "out_trade_no": "ord-T-30",
        "status": "SUCCEEDED",
        "amount": {"value": 300, "currency": "CNY"},
        "payment_refunded_total": 300,
        "created_at": int(clock.now()),
    }
    assert (payer(gateway), gateway.balance(SHOP)) == (9_300, 700)
    assert caller.refund("ord-T-30", "ord-T-30-R2", CNY(700))[1]["payment_refunded_total"] == 1000
    assert (payer(gateway), gateway.balance(SHOP)) == (10_000, 0)
    assert gateway.store.find_payment(MERCHANT_ID, "ord-T-30").refunded == 1000
    events = [event for _, _, event in outbox(gateway)]
    assert [e["type"] for e in events] == ["payment.succeeded", "refund.succeeded", "refund.succeeded"]
    assert events[1]["data"] == partial and {url for _, url, _ in outbox(gateway)} == {NOTIFY_URL}
    transfers = gateway.db.query("SELECT kind, reference FROM transfers WHERE kind = 'refund'")
    assert {tuple(t) for t in transfers} == {
        ("refund", gateway.store.find_payment(MERCHANT_ID, "ord-T-30").payment_id)
    }
    gateway.check_ledger()


@pytest.mark.parametrize(
    "setup, refund, words",
    [
        ("paid", ("ord-T-31", "ref-R-1", CNY(1001)), "exceeds the 1000 not yet refunded"),
        ("paid", ("ord-T-31", "ref-R-1", Money(100, "USD")), "currency differs"),
        ("declined", ("ord-T-31", "ref-R-1", CNY(1)), "only a succeeded payment"),
        ("refunded once", ("ord-T-31", "ref-R-0", CNY(1)), "out_refund_no was already used"),
        ("refunded once", ("ord-T-31", "ref-R-1", CNY(901)), "exceeds the 900 not yet refunded"),
    ],
)
def test_a_refund_that_breaks_a_rule_is_refused_and_moves_nothing(gateway, caller, setup, refund, words):
    caller.pay("ord-T-31", CNY(1000), POOR_CARD if setup == "declined" else VISA)
    if setup == "refunded once":
        caller.refund("ord-T-31", "ref-R-0", CNY(100))
    entries = rows(gateway.db, "entries")
    status, answer = caller.refund(*refund)
    assert (status, code(answer)) == (409, "REFUND_NOT_ALLOWED") and words in answer["error"]["message"]
    assert rows(gateway.db, "entries") == entries


def test_a_refund_of_an_unknown_payment_or_for_another_merchant_is_refused(gateway, caller):
    caller.pay("ord-T-32")
    assert code(caller.refund("ord-T-none", "ref-R-1", CNY(1))[1]) == "PAYMENT_NOT_FOUND"
    assert code(caller.refund("ord-T-32", "ref-R-1", CNY(1), merchant_id="M999999")[1]) == "MERCHANT_MISMATCH"


def test_a_refund_the_merchants_balance_cannot_cover_is_refused(gateway, caller):
    caller.pay("ord-T-33", CNY(1000))
    gateway.store.run(
        lambda unit: ledger.transfer(
            unit,
            transfer_id="payout_1",
            kind="payout",
            reference="bank",
            source=SHOP,
            destination=gateway.issuer.account_of(VISA, "CNY"),
            money=CNY(950),
            now=0.0,
        )
    )  # the merchant was paid out meanwhile
    status, answer = caller.refund("ord-T-33", "ref-R-1", CNY(100))
    assert (status, code(answer)) == (409, "REFUND_NOT_ALLOWED") and "balance" in answer["error"]["message"]
    assert gateway.store.find_payment(MERCHANT_ID, "ord-T-33").refunded == 0 and gateway.balance(SHOP) == 50
    assert not gateway.store.run(lambda unit: unit.refund_number_used(MERCHANT_ID, "ref-R-1"))


def test_a_retried_refund_returns_the_first_answer_and_refunds_once(gateway, caller):
    caller.pay("ord-T-34", CNY(1000))
    first = caller.refund("ord-T-34", "ref-R-1", CNY(100), key="refund-key-1")
    assert caller.refund("ord-T-34", "ref-R-1", CNY(100), key="refund-key-1") == first
    assert payer(gateway) == 9_100


# -- inspection ----------------------------------------------------------------------------------------
def test_an_unknown_account_has_no_balance(gateway):
    with pytest.raises(ledger.UnknownAccount, match="no account 'payer:nobody:CNY'"):
        gateway.balance("payer:nobody:CNY")
    assert gateway.db is gateway.store.db


def test_an_overlong_nonce_is_malformed_and_refused_unsigned(gateway, caller):
    """A nonce is 16-64 characters: a longer one is refused before any signature is checked or made."""
    body = caller.body("ord-T-40")
    headers = {**caller.headers("POST", PAYMENTS_PATH, body), "Paycore-Nonce": "n" * 65}
    status, answer = unsigned(gateway.handle_payment(headers, body))
    assert (status, code(answer)) == (401, "MALFORMED_HEADERS") and "16-64" in answer["error"]["message"]
    assert rows(gateway.db, "payments") == 0


def test_not_found_says_so(gateway, caller):
    for _, answer in (caller.query("ord-T-none"), caller.refund("ord-T-none", "ref-R-1", CNY(1))):
        assert answer == {
            "error": {"code": "PAYMENT_NOT_FOUND", "message": "no payment with this out_trade_no"}
        }


def test_a_refund_is_recorded_under_its_id(gateway, caller):
    caller.pay("ord-T-41", CNY(1000))
    _, answer = caller.refund("ord-T-41", "ref-R-41", CNY(10))
    assert answer["refund_id"].startswith("ref_") and len(answer["refund_id"]) == 28
    row = gateway.db.query_one("SELECT refund_id, merchant_id, out_refund_no, amount FROM refunds")
    assert tuple(row) == (answer["refund_id"], MERCHANT_ID, "ref-R-41", 10)


def test_the_gateway_signs_with_its_own_algorithm(
    store, gateway_key, gateway_encryption_key, merchant_key, clock
):
    gateway = new_gateway(store, gateway_key, gateway_encryption_key, clock, algorithm="RSA2")
    gateway.register_merchant(MERCHANT_ID, "Demo Shop", merchant_key.public_key(), notify_origins=ORIGINS)
    caller = Caller(gateway, MessageSigner(merchant_key), clock, gateway_key, gateway_encryption_key)
    caller.answers = MessageVerifier(PinnedKey("gateway", gateway_key.public_key(), "RSA2"), clock)
    status, answer = caller.query("ord-T-none")
    assert (status, code(answer)) == (404, "PAYMENT_NOT_FOUND")  # verified as RSA2 by the pinned verifier


def test_the_gateway_applies_its_own_window(store, gateway_key, gateway_encryption_key, merchant_key, clock):
    gateway = new_gateway(store, gateway_key, gateway_encryption_key, clock, window=10)
    gateway.register_merchant(MERCHANT_ID, "Demo Shop", merchant_key.public_key(), notify_origins=ORIGINS)
    caller = Caller(gateway, MessageSigner(merchant_key), clock, gateway_key, gateway_encryption_key)
    target = payment_path("ord-T-none")
    headers = signed(caller.signer, "GET", target, b"", timestamp=clock.now() - 11)
    reply = gateway.handle_query(target, headers, "ord-T-none")
    assert code(caller.verified(reply, headers)) == "TIMESTAMP_OUT_OF_WINDOW"


def test_every_answer_is_json(gateway, caller):
    body = caller.body("ord-T-42")
    for reply in (
        gateway.handle_payment(caller.headers("POST", PAYMENTS_PATH, body), body),
        gateway.handle_payment({}, b""),
    ):
        assert reply.headers["Content-Type"] == "application/json"


def test_a_payments_transfer_is_recorded_as_a_payment(gateway, caller):
    _, answer = caller.pay("ord-T-43", CNY(100))
    row = gateway.db.query_one(
        "SELECT transfer_id, kind, reference, amount FROM transfers WHERE kind != 'funding'"
    )
    assert tuple(row) == (answer["payment_id"], "payment", answer["payment_id"], 100)


def test_checks_commit_without_a_flush_and_the_money_with_one(gateway, caller):
    """Losing the nonce and the claim is harmless; the payment, its answer and notification are flushed."""
    before = dict(gateway.db.commits)
    caller.pay("ord-T-44")
    assert gateway.db.commits == {"durable": before["durable"] + 1, "relaxed": before["relaxed"] + 1}


@pytest.mark.parametrize("value", [0, -1, 10**12])
def test_an_amount_that_is_not_money_is_invalid(gateway, caller, value):
    document = json.loads(caller.body("ord-T-45"))
    document["amount"]["value"] = value
    status, answer = caller.pay("ord-T-45", body=json.dumps(document).encode())
    assert (status, code(answer)) == (422, "INVALID_REQUEST")
    assert answer["error"]["message"].startswith("invalid amount: ")
