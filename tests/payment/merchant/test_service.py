"""The Merchant alone, against a fake gateway link (tests/payment/fakes.py): no gateway service.

The fake answers like a gateway, signed with the gateway's key; told to misbehave, it answers for
another merchant, another order or another amount, with a stale timestamp, unsigned, signed by
another key, or with a refusal. Each test checks what the merchant did with its order.
"""

import json
import uuid

import pytest

from paycore import secure
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant.service import ORDER_TTL_SECONDS, Merchant
from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money
from paycore.payment.orders import LineItem, OrderStatus
from paycore.payment.protocol import PAYMENTS_PATH, REFUNDS_PATH, envelope_context
from paycore.payment.protocol.signing import MessageSigner
from tests.payment.builders import MERCHANT_ID, NOTIFY_URL, payment_resource
from tests.payment.fakes import RecordingStore
from tests.payment.helpers import has_a_message

VISA = Card("4111111111111111", "12/30", "123")
S = OrderStatus


def new_order(merchant, price=1000, user="alice"):
    return merchant.create_order(user, [LineItem("SKU-1", "Green tea", 1, price)], "CNY")


def pay(merchant, order, *, value=None, method=VISA, user="alice"):
    return merchant.pay(user, order["order_id"], Money(value or order["amount"]["value"], "CNY"), method)


def refusal_of(call) -> PaymentError:
    with pytest.raises(PaymentError) as refused:
        call()
    assert has_a_message(refused.value)
    return refused.value


def status(merchant, order):
    return merchant.get_order("alice", order["order_id"])["status"]


# -- 3.1: orders ------------------------------------------------------------------------------------------
def test_an_order_is_priced_from_its_items_and_expires(merchant, clock):
    order = merchant.create_order(
        "alice", [LineItem("A", "Tea", 2, 350), LineItem("B", "Cup", 1, 1200)], "CNY"
    )
    assert order["amount"] == {"value": 1900, "currency": "CNY"} and order["status"] == S.CREATED
    assert order["order_id"].startswith("ord_") and len(order["order_id"]) == 20
    assert (order["created_at"], order["expires_at"]) == (clock.now(), clock.now() + ORDER_TTL_SECONDS)
    assert ORDER_TTL_SECONDS == 900 and [item["quantity"] for item in order["items"]] == [2, 1]


@pytest.mark.parametrize("items, currency", [([], "CNY"), ([LineItem("A", "Tea", 1, 100)], "XXX")])
def test_an_order_needs_items_and_a_known_currency(merchant, items, currency):
    assert (
        refusal_of(lambda: merchant.create_order("alice", items, currency)).code is ErrorCode.INVALID_REQUEST
    )


def test_orders_are_private_to_their_user(merchant):
    order = new_order(merchant)
    for user, order_id in (("mallory", order["order_id"]), ("alice", "ord_none")):
        refused = refusal_of(lambda user=user, order_id=order_id: merchant.get_order(user, order_id))
        assert (refused.code, refused.status) == (ErrorCode.ORDER_NOT_FOUND, 404)


# -- 3.2 and 3.3: the request ------------------------------------------------------------------------------
def test_a_payment_request_is_signed_sealed_and_sent_once(
    merchant, fake_gateway, gateway_key, gateway_encryption_key, merchant_key
):
    order = new_order(merchant, price=9980)
    paid = pay(merchant, order)
    [sent] = fake_gateway.received  # the fake checked the merchant's signature before answering
    assert (sent.method, sent.url) == ("POST", "http://gateway.fake.test/v1/payments")
    assert sent.headers["Paycore-Key-Id"] == secure.key_id(merchant_key)
    assert uuid.UUID(sent.headers["Idempotency-Key"]) and sent.headers["Content-Type"] == "application/json"
    body = json.loads(sent.body)
    out_trade_no = f"{order['order_id']}-1"
    assert {k: body[k] for k in ("merchant_id", "out_trade_no", "amount", "notify_url")} == {
        "merchant_id": MERCHANT_ID,
        "out_trade_no": out_trade_no,
        "amount": {"value": 9980, "currency": "CNY"},
        "notify_url": NOTIFY_URL,
    }
    assert body["description"] == f"order {order['order_id']}"
    payer = secure.open_envelope(
        gateway_encryption_key, body["payer"], associated_data=envelope_context(MERCHANT_ID, out_trade_no)
    )
    assert body["payer"]["kid"] == secure.key_id(gateway_encryption_key) != secure.key_id(gateway_key)
    assert json.loads(payer) == {"type": "card", "number": VISA.number, "expiry": "12/30", "cvv": "123"}
    assert b"4111111111111111" not in sent.body
    assert (paid["status"], paid["payer"], paid["out_trade_no"]) == (S.PAID, "411111******1111", out_trade_no)
    assert paid["payment_id"] == "pay_fake0001" and paid["paid_at"] == merchant.clock.now()


def test_a_wallet_is_sealed_too(merchant, fake_gateway):
    paid = pay(merchant, new_order(merchant), method=Wallet("W-alice"))
    assert paid["payer"] == "W-al***ce"


@pytest.mark.parametrize("value, currency", [(999, "CNY"), (1000, "USD")])
def test_step_3_2_refuses_another_amount_and_sends_nothing(merchant, fake_gateway, value, currency):
    order = new_order(merchant)
    refused = refusal_of(lambda: merchant.pay("alice", order["order_id"], Money(value, currency), VISA))
    assert refused.code is ErrorCode.AMOUNT_MISMATCH and "differs from the order's" in refused.message
    assert fake_gateway.received == [] and status(merchant, order) == S.CREATED


def test_step_3_2_refuses_another_users_order_and_a_paid_one(merchant, fake_gateway):
    order = new_order(merchant)
    assert refusal_of(lambda: pay(merchant, order, user="mallory")).code is ErrorCode.ORDER_NOT_FOUND
    pay(merchant, order)
    refused = refusal_of(lambda: pay(merchant, order))
    assert refused.code is ErrorCode.ORDER_NOT_PAYABLE and "is PAID" in refused.message
    assert len(fake_gateway.received) == 1


def test_an_expired_order_is_closed_not_paid(merchant, fake_gateway, clock):
    order = new_order(merchant)
    clock.advance(ORDER_TTL_SECONDS)
    assert refusal_of(lambda: pay(merchant, order)).code is ErrorCode.ORDER_EXPIRED
    assert status(merchant, order) == S.CLOSED and fake_gateway.received == []
    assert refusal_of(lambda: pay(merchant, order)).code is ErrorCode.ORDER_EXPIRED  # and stays refused


def test_an_order_a_second_before_expiry_can_be_paid(merchant, clock):
    order = new_order(merchant)
    clock.advance(ORDER_TTL_SECONDS - 1)
    assert pay(merchant, order)["status"] == S.PAID


def test_expired_orders_are_closed_on_sight_or_by_the_sweep(merchant, clock):
    seen, swept, paid = new_order(merchant), new_order(merchant), new_order(merchant)
    pay(merchant, paid)
    clock.advance(ORDER_TTL_SECONDS)
    assert merchant.get_order("alice", seen["order_id"])["status"] == S.CLOSED
    assert merchant.close_expired() == 1  # the one not yet seen; the paid one stays paid
    assert (status(merchant, swept), status(merchant, paid)) == (S.CLOSED, S.PAID)


def test_an_unpaid_order_can_be_cancelled_once(merchant):
    order = new_order(merchant)
    assert merchant.cancel_order("alice", order["order_id"])["status"] == S.CLOSED
    assert (
        refusal_of(lambda: merchant.cancel_order("alice", order["order_id"])).code
        is ErrorCode.ORDER_NOT_PAYABLE
    )
    assert (
        refusal_of(lambda: merchant.cancel_order("mallory", order["order_id"])).code
        is ErrorCode.ORDER_NOT_FOUND
    )


# -- 3.6: the answer, genuine -------------------------------------------------------------------------------
def test_a_decline_fails_the_attempt_and_a_new_attempt_gets_a_new_number(merchant, fake_gateway):
    order = new_order(merchant)
    fake_gateway.decline = "INSUFFICIENT_FUNDS"
    failed = pay(merchant, order)
    assert (failed["status"], failed["failure_code"]) == (S.FAILED, "INSUFFICIENT_FUNDS")
    fake_gateway.decline = None
    paid = pay(merchant, order)
    assert (paid["status"], paid["out_trade_no"], paid["failure_code"]) == (
        S.PAID,
        f"{order['order_id']}-2",
        None,
    )


# -- 3.6: the answer, misbehaving ---------------------------------------------------------------------------
def test_an_answer_for_another_merchant_is_refused_with_an_alert(merchant, fake_gateway):
    order = new_order(merchant)
    fake_gateway.tamper = {"merchant_id": "M999999"}
    refused = refusal_of(lambda: pay(merchant, order))
    assert (refused.code, refused.status) == (ErrorCode.MERCHANT_MISMATCH, 403)
    assert status(merchant, order) == S.PAYING
    [alert] = merchant.store.alerts()
    assert alert["order_id"] == order["order_id"] and "another merchant" in alert["message"]


@pytest.mark.parametrize("skew", [-3600, -301, 301, 3600])
def test_an_answer_outside_the_window_is_treated_as_forged(merchant, fake_gateway, skew):
    order = new_order(merchant)
    fake_gateway.skew = skew
    refused = refusal_of(lambda: pay(merchant, order))
    assert (refused.code, refused.status) == (ErrorCode.GATEWAY_RESPONSE_INVALID, 502)
    assert "failed checks" in refused.message and "window" in refused.message
    assert status(merchant, order) == S.PAYING  # until reconciled


@pytest.mark.parametrize("skew", [-300, 300])
def test_an_answer_at_the_edge_of_the_window_is_accepted(merchant, fake_gateway, skew):
    fake_gateway.skew = skew
    assert pay(merchant, new_order(merchant))["status"] == S.PAID


def test_an_answer_naming_another_orders_attempt_is_refused_and_that_order_is_untouched(
    merchant, fake_gateway
):
    """Order B waits in PAYING (its reply was lost); the answer to A's request names B's attempt."""
    other = new_order(merchant)
    fake_gateway.unreachable = True
    assert refusal_of(lambda: pay(merchant, other)).code is ErrorCode.GATEWAY_UNAVAILABLE
    fake_gateway.unreachable = False
    order = new_order(merchant)  # the same amount as B's
    fake_gateway.tamper = {"out_trade_no": f"{other['order_id']}-1"}
    refused = refusal_of(lambda: pay(merchant, order))
    assert refused.code is ErrorCode.ORDER_NOT_FOUND
    assert (status(merchant, other), status(merchant, order)) == (S.PAYING, S.PAYING)
    [alert] = merchant.store.alerts()
    assert alert["order_id"] == other["order_id"] and "unknown out_trade_no" in alert["message"]


def test_an_answer_naming_no_order_we_know_is_refused_with_an_alert(merchant, fake_gateway):
    order = new_order(merchant)
    fake_gateway.tamper = {"out_trade_no": "ord_0000000000000000-1"}
    assert refusal_of(lambda: pay(merchant, order)).code is ErrorCode.ORDER_NOT_FOUND
    assert status(merchant, order) == S.PAYING and merchant.store.alerts()[0]["order_id"] is None


def test_an_answer_for_another_amount_is_refused_with_an_alert(merchant, fake_gateway):
    order = new_order(merchant)
    fake_gateway.tamper = {"amount": {"value": 1, "currency": "CNY"}}
    refused = refusal_of(lambda: pay(merchant, order))
    assert (refused.code, refused.status) == (ErrorCode.AMOUNT_MISMATCH, 422)
    assert status(merchant, order) == S.PAYING and "is for 1 CNY" in merchant.store.alerts()[0]["message"]


@pytest.mark.parametrize(
    "misbehave, words",
    [
        (lambda fake, keys: setattr(fake, "unsigned", True), "is not signed: treated as forged"),
        (lambda fake, keys: setattr(fake, "sign_with", MessageSigner(keys["attacker"])), "gateway's key"),
        (lambda fake, keys: setattr(fake, "sign_with", MessageSigner(keys["encryption"])), "gateway's key"),
        (lambda fake, keys: setattr(fake, "sign_with", MessageSigner(keys["gateway"], "RSA2")), "signs with"),
        (lambda fake, keys: setattr(fake, "bind_to", "f" * 32), "signature does not match"),
    ],
    ids=["unsigned", "another-key", "the-encryption-key", "another-algorithm", "another-request"],
)
def test_an_answer_not_signed_by_the_gateway_for_this_request_is_forged(
    merchant, fake_gateway, gateway_key, gateway_encryption_key, attacker_key, misbehave, words
):
    order = new_order(merchant)
    keys = {"gateway": gateway_key, "encryption": gateway_encryption_key, "attacker": attacker_key}
    misbehave(fake_gateway, keys)
    refused = refusal_of(lambda: pay(merchant, order))
    assert refused.code is ErrorCode.GATEWAY_RESPONSE_INVALID and words in refused.message
    assert status(merchant, order) == S.PAYING and merchant.store.alerts() == []


@pytest.mark.parametrize("code", ["INVALID_REQUEST", "PAYER_UNREADABLE", "MERCHANT_MISMATCH"])
def test_a_refusal_before_any_money_moved_fails_the_attempt(merchant, fake_gateway, code):
    order = new_order(merchant)
    fake_gateway.refuse, fake_gateway.refuse_for = (ErrorCode[code].status, code), 1
    failed = pay(merchant, order)
    assert (failed["status"], failed["failure_code"]) == (S.FAILED, code)
    assert (
        fake_gateway.sent_to(PAYMENTS_PATH + "/" + failed["out_trade_no"]) == []
    )  # no query: nothing to ask
    assert pay(merchant, order)["status"] == S.PAID


@pytest.mark.parametrize(
    "refusal",
    [
        (409, "REQUEST_IN_PROGRESS"),
        (409, "DUPLICATE_OUT_TRADE_NO"),
        (500, "INTERNAL_ERROR"),
        (503, "GATEWAY_UNAVAILABLE"),
    ],
)
def test_a_refusal_after_which_the_gateway_may_have_acted_is_settled_by_a_query(
    merchant, fake_gateway, refusal
):
    """An earlier copy of the request was taken; this one is refused: ask, never guess."""
    order = new_order(merchant)
    out_trade_no = f"{order['order_id']}-1"
    fake_gateway.payments[out_trade_no] = payment_resource(out_trade_no, 1000, payment_id="pay_earlier")
    fake_gateway.refuse, fake_gateway.refuse_for = refusal, 1
    paid = pay(merchant, order)
    assert (paid["status"], paid["payment_id"]) == (S.PAID, "pay_earlier")
    assert [sent.method for sent in fake_gateway.received] == ["POST", "GET"]


def test_a_lost_reply_is_resent_with_the_same_bytes_and_key_after_a_pause(merchant, fake_gateway, clock):
    order = new_order(merchant)
    fake_gateway.lose_replies = 1
    start = clock.now()
    assert pay(merchant, order)["status"] == S.PAID
    first, second = fake_gateway.received
    assert first.body == second.body and first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.headers["Paycore-Nonce"] != second.headers["Paycore-Nonce"]
    assert clock.now() == start + 0.05 and len(fake_gateway.payments) == 1


def test_when_every_reply_is_lost_the_order_waits_in_paying(merchant, fake_gateway, clock):
    order = new_order(merchant)
    fake_gateway.lose_replies = 3
    refused = refusal_of(lambda: pay(merchant, order))
    assert (refused.code, refused.status) == (ErrorCode.GATEWAY_UNAVAILABLE, 503)
    assert "stays PAYING until it is reconciled" in refused.message
    assert status(merchant, order) == S.PAYING and len(fake_gateway.received) == 3
    assert merchant.reconcile() == [(order["order_id"], "PAID")]


def test_paying_since_follows_the_last_signed_copy(merchant, fake_gateway, clock):
    order = new_order(merchant)
    fake_gateway.unreachable, fake_gateway.delay = True, 10
    start = int(clock.now())
    refusal_of(lambda: pay(merchant, order))
    stamps = [int(sent.headers["Paycore-Timestamp"]) - start for sent in fake_gateway.received]
    assert stamps == [0, 10, 20]
    assert merchant.store.order(order["order_id"]).paying_since == start + 20


# -- refunds ----------------------------------------------------------------------------------------------
def test_partial_then_full_refund(merchant, fake_gateway):
    order = new_order(merchant)
    pay(merchant, order)
    partial = merchant.refund("alice", order["order_id"], Money(300, "CNY"), "too sweet")
    assert (partial["status"], partial["refunded"]) == (S.PARTIALLY_REFUNDED, 300)
    full = merchant.refund("alice", order["order_id"], Money(700, "CNY"))
    assert (full["status"], full["refunded"]) == (S.REFUNDED, 1000)
    bodies = [json.loads(sent.body) for sent in fake_gateway.sent_to(REFUNDS_PATH)]
    assert [b["out_refund_no"] for b in bodies] == [f"{order['order_id']}-R1", f"{order['order_id']}-R2"]
    assert bodies[0] == {
        "merchant_id": MERCHANT_ID,
        "out_trade_no": f"{order['order_id']}-1",
        "out_refund_no": f"{order['order_id']}-R1",
        "amount": {"value": 300, "currency": "CNY"},
        "reason": "too sweet",
    }
    assert all(sent.headers.get("Idempotency-Key") for sent in fake_gateway.sent_to(REFUNDS_PATH))


@pytest.mark.parametrize("amount", [Money(1001, "CNY"), Money(100, "USD")])
def test_a_refund_beyond_what_was_paid_is_refused_before_it_is_sent(merchant, fake_gateway, amount):
    order = new_order(merchant)
    pay(merchant, order)
    refused = refusal_of(lambda: merchant.refund("alice", order["order_id"], amount))
    assert refused.code is ErrorCode.REFUND_NOT_ALLOWED and fake_gateway.sent_to(REFUNDS_PATH) == []


def test_only_paid_orders_are_refunded(merchant, fake_gateway):
    order = new_order(merchant)
    refused = refusal_of(lambda: merchant.refund("alice", order["order_id"], Money(1, "CNY")))
    assert refused.code is ErrorCode.REFUND_NOT_ALLOWED and "is CREATED" in refused.message
    assert refusal_of(lambda: merchant.refund("mallory", order["order_id"], Money(1, "CNY"))).code is (
        ErrorCode.ORDER_NOT_FOUND
    )


def test_a_refund_refused_by_the_gateway_is_passed_on_and_its_number_stays_used(merchant, fake_gateway):
    order = new_order(merchant)
    pay(merchant, order)
    fake_gateway.refuse, fake_gateway.refuse_for = (409, "REFUND_NOT_ALLOWED"), 1
    refused = refusal_of(lambda: merchant.refund("alice", order["order_id"], Money(100, "CNY")))
    assert (refused.code, refused.status) == (ErrorCode.REFUND_NOT_ALLOWED, 409)
    assert status(merchant, order) == S.PAID
    merchant.refund("alice", order["order_id"], Money(100, "CNY"))
    numbers = [json.loads(sent.body)["out_refund_no"] for sent in fake_gateway.sent_to(REFUNDS_PATH)]
    assert numbers == [f"{order['order_id']}-R1", f"{order['order_id']}-R2"]


def test_an_unsigned_refund_answer_changes_nothing(merchant, fake_gateway):
    order = new_order(merchant)
    pay(merchant, order)
    fake_gateway.unsigned = True
    assert refusal_of(lambda: merchant.refund("alice", order["order_id"], Money(100, "CNY"))).code is (
        ErrorCode.GATEWAY_RESPONSE_INVALID
    )
    assert merchant.store.order(order["order_id"]).refunded == 0


def test_the_merchant_shows_its_signer_and_database(merchant, merchant_key):
    assert merchant.signer.key_id == secure.key_id(merchant_key)
    assert merchant.db is merchant.store.db and merchant.admin_token == "admin-token-for-tests"


def test_a_refund_answer_about_another_order_is_refused_with_an_alert(merchant, fake_gateway):
    order, other = new_order(merchant), new_order(merchant)
    pay(merchant, order)
    pay(merchant, other)
    fake_refund = fake_gateway._refund

    def answers_for_the_other_order(request):
        status, document = fake_refund(request)
        return status, {**document, "out_trade_no": f"{other['order_id']}-1"}

    fake_gateway._refund = answers_for_the_other_order
    refused = refusal_of(lambda: merchant.refund("alice", order["order_id"], Money(300, "CNY")))
    assert refused.code is ErrorCode.ORDER_NOT_FOUND
    assert merchant.store.order(other["order_id"]).refunded == 0
    assert merchant.store.alerts()[0]["order_id"] == other["order_id"]


@pytest.mark.parametrize(
    "spoil, code",
    [
        (lambda answer: {**answer, "merchant_id": "M999999"}, ErrorCode.MERCHANT_MISMATCH),
        (  # left out: not a refund resource at all
            lambda answer: {name: value for name, value in answer.items() if name != "merchant_id"},
            ErrorCode.GATEWAY_RESPONSE_INVALID,
        ),
    ],
    ids=["another-merchant", "no-merchant"],
)
def test_a_refund_answer_that_does_not_name_this_merchant_changes_nothing(
    merchant, fake_gateway, spoil, code
):
    order = new_order(merchant)
    pay(merchant, order)
    fake_refund = fake_gateway._refund

    def spoiled(request):
        status, document = fake_refund(request)
        return status, spoil(document)

    fake_gateway._refund = spoiled
    refused = refusal_of(lambda: merchant.refund("alice", order["order_id"], Money(300, "CNY")))
    assert refused.code is code
    assert (status(merchant, order), merchant.store.order(order["order_id"]).refunded) == (S.PAID, 0)
    if code is ErrorCode.MERCHANT_MISMATCH:  # signed, parsed, and wrong: an alert for people to look at
        assert [alert["order_id"] for alert in merchant.store.alerts()] == [order["order_id"]]


# -- what the mutation run showed was unpinned -----------------------------------------------------------
def test_a_refund_over_what_remains_after_a_partial_one_is_refused_before_it_is_sent(merchant, fake_gateway):
    order = new_order(merchant)
    pay(merchant, order)
    merchant.refund("alice", order["order_id"], Money(300, "CNY"))
    refused = refusal_of(lambda: merchant.refund("alice", order["order_id"], Money(701, "CNY")))
    assert refused.code is ErrorCode.REFUND_NOT_ALLOWED
    assert refused.message == "the refund exceeds what was paid and not yet refunded"
    assert len(fake_gateway.sent_to(REFUNDS_PATH)) == 1  # only the first one went out
    assert merchant.refund("alice", order["order_id"], Money(700, "CNY"))["status"] == S.REFUNDED


def test_a_refund_request_lists_its_fields_in_order_with_an_empty_reason_by_default(merchant, fake_gateway):
    order = new_order(merchant)
    pay(merchant, order)
    merchant.refund("alice", order["order_id"], Money(300, "CNY"))
    [sent] = fake_gateway.sent_to(REFUNDS_PATH)
    assert list(json.loads(sent.body)) == ["merchant_id", "out_trade_no", "out_refund_no", "amount", "reason"]
    assert json.loads(sent.body)["reason"] == "" and b'"reason":""' in sent.body


def test_a_payment_request_lists_its_fields_in_order(merchant, fake_gateway):
    pay(merchant, new_order(merchant))
    [sent] = fake_gateway.received
    fields = ["merchant_id", "out_trade_no", "amount", "description", "notify_url", "payer"]
    assert list(json.loads(sent.body)) == fields


def test_a_cancelled_order_is_not_payable_rather_than_expired(merchant, fake_gateway):
    order = new_order(merchant)
    merchant.cancel_order("alice", order["order_id"])
    refused = refusal_of(lambda: pay(merchant, order))
    assert refused.code is ErrorCode.ORDER_NOT_PAYABLE and "is CLOSED" in refused.message
    assert fake_gateway.received == []


def test_a_paid_order_past_its_expiry_is_still_paid_not_expired(merchant, clock):
    order = new_order(merchant)
    pay(merchant, order)
    clock.advance(ORDER_TTL_SECONDS + 1)
    assert refusal_of(lambda: pay(merchant, order)).code is ErrorCode.ORDER_NOT_PAYABLE
    assert status(merchant, order) == S.PAID


def test_an_expired_order_is_refused_with_a_message_saying_so(merchant, clock):
    order = new_order(merchant)
    clock.advance(ORDER_TTL_SECONDS)
    assert refusal_of(lambda: pay(merchant, order)).message == "the order expired before it was paid"
    assert refusal_of(lambda: pay(merchant, order)).message == "the order expired before it was paid"


def test_a_new_attempt_forgets_the_failure_code_of_the_last(merchant, fake_gateway):
    order = new_order(merchant)
    fake_gateway.decline = "INSUFFICIENT_FUNDS"
    pay(merchant, order)
    fake_gateway.decline, fake_gateway.unreachable = None, True
    refusal_of(lambda: pay(merchant, order))
    waiting = merchant.get_order("alice", order["order_id"])
    assert (waiting["status"], waiting["failure_code"]) == (S.PAYING, None)


def test_a_refusal_for_an_attempt_settled_meanwhile_changes_nothing(
    merchant, fake_gateway, gateway_key, clock
):
    """While the request is out, a notification of an earlier copy settles the order; then a refusal comes."""
    from paycore.payment.merchant.notifications import NotificationInbox
    from tests.payment.builders import event_body

    order = new_order(merchant)
    inbox = NotificationInbox(merchant.store, merchant.client.verifier, clock, MERCHANT_ID)
    fake_request = fake_gateway.request

    def notified_first(method, url, headers, body=b""):
        out_trade_no = json.loads(body)["out_trade_no"]
        event = event_body("payment.succeeded", payment_resource(out_trade_no, 1000, payment_id="pay_copy"))
        signed = MessageSigner(gateway_key).sign_request(
            "POST", "/paycore/notify", event, timestamp=int(clock.now())
        )
        assert inbox.handle("/paycore/notify", signed, event).status == 200
        return fake_request(method, url, headers, body)

    fake_gateway.request = notified_first
    fake_gateway.refuse, fake_gateway.refuse_for = (422, "INVALID_REQUEST"), 1
    paid = pay(merchant, order)
    assert (paid["status"], paid["payment_id"], paid["failure_code"]) == (S.PAID, "pay_copy", None)


@pytest.fixture
def recorded(store, client, gateway_encryption_key, clock):
    """A Merchant on a RecordingStore: which of its commits wait for the disk."""
    recording = RecordingStore(store)
    service = Merchant(
        recording,
        client,
        clock,
        merchant_id=MERCHANT_ID,
        notify_url=NOTIFY_URL,
        gateway_encryption_key=gateway_encryption_key.public_key(),
    )
    return service, recording


def test_the_merchant_flushes_only_what_could_lose_money(recorded, fake_gateway):
    """Durable: PAYING before the request leaves, refund numbers, alerts. The rest the gateway can rebuild."""
    merchant, store = recorded
    order = new_order(merchant)
    assert store.durable == [False]  # a new order
    pay(merchant, order)
    assert store.durable[1:] == [True, False]  # into PAYING (durable); the outcome
    merchant.refund("alice", order["order_id"], Money(100, "CNY"))
    assert store.durable[3:] == [True, False]  # the refund number; the new total
    refused = new_order(merchant)
    del store.durable[:]
    fake_gateway.refuse, fake_gateway.refuse_for = (422, "INVALID_REQUEST"), 1
    pay(merchant, refused)
    assert store.durable == [True, False]  # into PAYING; the failed attempt
    del store.durable[:]
    fake_gateway.tamper = {"amount": {"value": 1, "currency": "CNY"}}
    refusal_of(lambda: pay(merchant, refused))
    assert store.durable == [True, False, True]  # into PAYING; the refused result; its alert (durable)


def test_each_later_signature_of_a_retried_request_is_noted_durably(recorded, fake_gateway):
    merchant, store = recorded
    order = new_order(merchant)
    fake_gateway.unreachable, fake_gateway.delay = True, 10
    del store.durable[:]
    refusal_of(lambda: pay(merchant, order))
    assert store.durable == [True, True, True]  # into PAYING, then paying_since at the 2nd and 3rd copy


def test_an_admin_token_is_made_when_none_is_given(store, client, gateway_encryption_key, clock):
    def merchant():
        return Merchant(
            store,
            client,
            clock,
            merchant_id=MERCHANT_ID,
            notify_url=NOTIFY_URL,
            gateway_encryption_key=gateway_encryption_key.public_key(),
        )

    first, second = merchant().admin_token, merchant().admin_token
    assert first != second and len(first) == len(second) == 32  # 24 random bytes, base64url
