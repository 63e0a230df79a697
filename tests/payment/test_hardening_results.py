"""Signed results re-checked at the merchant, CVVs checked at the issuer, and the gateway's two keys.

Before, a (validly signed) refund notification whose total exceeded the order's amount reached the
database's CHECK constraint and came back as a 500; the simulated issuer never compared the CVV;
and one gateway key both signed answers and opened payer envelopes.
"""

import os
import re
import secrets
import time

import pytest

from paycore import secure
from paycore.payment import Card, Money, OrderStatus
from paycore.payment.clock import FakeClock
from paycore.payment.gateway.service import Gateway
from paycore.payment.gateway.sqlite import SQLiteGatewayStore
from paycore.payment.protocol import schemas
from paycore.payment.runtime.demo import MERCHANT_ID
from tests.payment.conftest import START
from tests.payment.hardening_helpers import DEMO_CARD, USER, new_trade_no, request_nonce
from tests.payment.helpers import ledger_entries, new_order, payer_balance


# -- 7. refund results re-checked: a 4xx and an alert, never a 500 -------------------------------------------
@pytest.fixture(scope="module")
def paid_order(live):
    order = live.new_order(1000)
    paid = live.pay(order).json()
    assert paid["status"] == "PAID"
    return paid


def refund_event(order: dict, **changes) -> dict:
    """A refund.succeeded event for ``order``, as the gateway would send it, with ``changes`` applied."""
    data = {
        "refund_id": "ref_" + secrets.token_hex(12),
        "merchant_id": MERCHANT_ID,
        "out_refund_no": f"{order['order_id']}-R9",
        "out_trade_no": order["out_trade_no"],
        "status": "SUCCEEDED",
        "amount": {"value": 100, "currency": "CNY"},
        "payment_refunded_total": 100,
        "created_at": int(time.time()),
    }
    data.update(changes)
    return {
        "event_id": "evt_" + secrets.token_hex(12),
        "type": "refund.succeeded",
        "created_at": 0,
        "data": data,
    }


def alerts(live) -> list[tuple]:
    return live.rows("merchant", "SELECT order_id, message FROM alerts ORDER BY alert_id")


def order_row(live, order_id: str) -> tuple:
    return live.rows("merchant", "SELECT status, refunded FROM orders WHERE order_id = ?", (order_id,))[0]


@pytest.mark.parametrize(
    "changes, status, error",
    [
        ({"payment_refunded_total": 2000}, 422, "AMOUNT_MISMATCH"),  # the total beyond the order's 1000
        (
            {"amount": {"value": 1500, "currency": "CNY"}, "payment_refunded_total": 1500},
            422,
            "AMOUNT_MISMATCH",
        ),
        ({"amount": {"value": 0, "currency": "CNY"}}, 422, "AMOUNT_MISMATCH"),
        ({"amount": {"value": -5, "currency": "CNY"}}, 422, "AMOUNT_MISMATCH"),
        (
            {"amount": {"value": 300, "currency": "CNY"}, "payment_refunded_total": 200},
            422,
            "AMOUNT_MISMATCH",
        ),
        ({"amount": {"value": 100, "currency": "USD"}}, 422, "AMOUNT_MISMATCH"),
        ({"merchant_id": "M999999"}, 403, "MERCHANT_MISMATCH"),
        ({"out_trade_no": "ord_0000000000000000-1"}, 404, "ORDER_NOT_FOUND"),
    ],
    ids=[
        "total-over-order",
        "amount-over-order",
        "zero",
        "negative",
        "amount-over-total",
        "currency",
        "merchant",
        "unknown-order",
    ],
)
def test_a_signed_refund_result_that_does_not_fit_the_order_is_refused_with_an_alert(
    live, paid_order, changes, status, error
):
    event = refund_event(paid_order, **changes)
    before_alerts, before_order = alerts(live), order_row(live, paid_order["order_id"])
    answer = live.notify(event)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, error)
    new = alerts(live)[len(before_alerts) :]
    assert len(new) == 1 and event["data"]["refund_id"] in new[0][1]
    assert order_row(live, paid_order["order_id"]) == before_order  # nothing applied
    assert (
        live.rows("merchant", "SELECT 1 FROM processed_events WHERE event_id = ?", (event["event_id"],)) == []
    )


def test_a_fitting_refund_result_applies_once_and_an_older_total_changes_nothing(live):
    order = live.pay(live.new_order(1000)).json()
    first = refund_event(order, amount={"value": 300, "currency": "CNY"}, payment_refunded_total=300)
    assert live.notify(first).status_code == 200
    assert order_row(live, order["order_id"]) == ("PARTIALLY_REFUNDED", 300)
    before = alerts(live)
    late = refund_event(order, amount={"value": 100, "currency": "CNY"}, payment_refunded_total=100)
    assert live.notify(late).status_code == 200  # a late, older result: acknowledged, changes nothing
    assert order_row(live, order["order_id"]) == ("PARTIALLY_REFUNDED", 300) and alerts(live) == before
    full = refund_event(order, amount={"value": 700, "currency": "CNY"}, payment_refunded_total=1000)
    assert live.notify(full).status_code == 200
    assert order_row(live, order["order_id"]) == ("REFUNDED", 1000)


# -- 9. the issuer checks the CVV, and keeps it nowhere ------------------------------------------------------
def test_a_known_card_with_a_wrong_cvv_is_declined_over_http(live, paid_order):
    order = live.new_order(700)
    entries = live.rows("gateway", "SELECT COUNT(*) FROM entries")
    declined = live.pay(order, {**DEMO_CARD, "cvv": "999"}).json()
    assert (declined["status"], declined["failure_code"]) == ("FAILED", "CVV_MISMATCH")
    outcome = "SELECT status, failure_code FROM payments WHERE out_trade_no = ?"
    payment = live.rows("gateway", outcome, (declined["out_trade_no"],))
    assert payment == [("FAILED", "CVV_MISMATCH")]
    assert live.rows("gateway", "SELECT COUNT(*) FROM entries") == entries  # no money moved
    assert live.pay(order).json()["status"] == "PAID"  # the right CVV, on the next attempt


CVV, WRONG_CVV = "7391", "2846"
CARD = Card("4242424242424242", "11/30", CVV)


def occurrences_outside_random_hex(data: bytes, digits: str) -> list[int]:
    """Offsets of ``digits`` in ``data`` that are not inside a long run of hex digits.

    Random ids, tokens, nonces and HMACs are hex strings of 24 to 64 digits, and any 4 digits turn
    up in them by chance; a CVV stored as a value of its own would stand outside such a run.
    """
    runs = [(found.start(), found.end()) for found in re.finditer(rb"[0-9a-f]{16,}", data)]
    hits = [found.start() for found in re.finditer(re.escape(digits.encode()), data)]
    return [hit for hit in hits if not any(start <= hit and hit + len(digits) <= end for start, end in runs)]


def test_the_cvv_is_checked_and_stored_nowhere_in_the_gateways_database(file_world):
    gateway, db = file_world.gateway, file_world.gateway.store.db
    account = gateway.open_card_account(CARD, Money(10_000, "CNY"))
    client = file_world.merchant_client()
    method = {"type": "card", "number": CARD.number, "expiry": CARD.expiry}
    wrong, right = new_order(file_world, price=500), new_order(file_world, price=500)
    before = ledger_entries(file_world)
    pay = {"amount": wrong["amount"], "method": {**method, "cvv": WRONG_CVV}}
    declined = client.post(f"/orders/{wrong['order_id']}/pay", headers=USER, json=pay).json()
    assert (declined["status"], declined["failure_code"]) == (OrderStatus.FAILED, "CVV_MISMATCH")
    assert ledger_entries(file_world) == before and gateway.balance(account) == 10_000
    pay = {"amount": right["amount"], "method": {**method, "cvv": CVV}}
    paid = client.post(f"/orders/{right['order_id']}/pay", headers=USER, json=pay).json()
    assert paid["status"] == OrderStatus.PAID and gateway.balance(account) == 9_500
    (check,) = gateway.db.query("SELECT cvv_check FROM payer_methods WHERE display LIKE '424242%'")
    assert re.fullmatch(r"[0-9a-f]{64}", check["cvv_check"])  # an HMAC, not the CVV

    def stored() -> list[bytes]:
        """Everything the gateway's database holds: SQLite's file and log, or every PostgreSQL row as text."""
        if hasattr(db, "path"):
            return [open(path, "rb").read() for path in (db.path, db.path + "-wal") if os.path.exists(path)]
        tables = db.tables()
        assert "payer_methods" in tables
        return [row[0].encode() for table in tables for row in db.query(f"SELECT t::text FROM {table} t")]

    def scan() -> dict:
        chunks = stored()
        return {
            digits: [hit for chunk in chunks for hit in occurrences_outside_random_hex(chunk, digits)]
            for digits in (CVV, WRONG_CVV)
        }

    assert scan() == {CVV: [], WRONG_CVV: []}  # while running (SQLite's write-ahead log holds recent pages)
    if hasattr(db, "path"):
        file_world.close()
        assert scan() == {CVV: [], WRONG_CVV: []}  # and after the log was checkpointed into the file


def test_a_card_whose_cvv_was_never_registered_is_declined(world):
    """A card row from before the issuer checked CVVs (``cvv_check`` empty) cannot pay until re-registered."""
    order = new_order(world, price=300)
    card = Card("5555555555554444", "06/29", "321")
    forget = "UPDATE payer_methods SET cvv_check = NULL WHERE display LIKE '555555%'"
    world.gateway.store.run(lambda unit: unit.connection.execute(forget))
    before = payer_balance(world, card)
    result = world.merchant.pay("alice", order["order_id"], Money(300, "CNY"), card)
    assert (result["status"], result["failure_code"]) == (OrderStatus.FAILED, "CVV_MISMATCH")
    assert payer_balance(world, card) == before


# -- 11. one key signs, another opens envelopes --------------------------------------------------------------
def test_a_gateway_with_one_key_for_both_jobs_is_refused(gateway_key):
    with pytest.raises(ValueError, match="two different key pairs"):
        Gateway(
            SQLiteGatewayStore(),
            gateway_key,
            FakeClock(START),
            encryption_key=gateway_key,
            token_secret=b"k" * 32,
        )


def test_the_merchant_seals_to_the_encryption_key_and_the_gateway_signs_with_the_other(world):
    visa = Card("4111111111111111", "12/30", "123")
    body = world.merchant.build_payment_request("T-kid-1", Money(100, "CNY"), visa, description="t")
    kid = schemas.parse(schemas.PaymentRequest, body).payer.kid
    assert kid == world.gateway.encryption_key_id == secure.key_id(world.gateway.encryption_key)
    assert kid != world.gateway.key_id == world.merchant.client.gateway_key_id


@pytest.mark.parametrize(
    "kid", ["signing", "encryption"], ids=["kid-of-signing-key", "kid-claims-encryption-key"]
)
def test_an_envelope_sealed_to_the_gateways_signing_key_is_unreadable(live, kid):
    """Over real HTTP: the gateway never decrypts with the key it signs with."""
    out_trade_no = new_trade_no()
    body = live.payment_body(out_trade_no, seal_to="gateway-signing")
    if kid == "encryption":  # the same ciphertext, its envelope claiming the encryption key's id
        signing_id = secure.key_id(live.public_key("gateway-signing"))
        body = body.replace(
            signing_id.encode(), secure.key_id(live.public_key("gateway-encryption")).encode()
        )
    headers = live.signed_headers(body)
    answer = live.to_gateway(body, headers)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "PAYER_UNREADABLE")
    assert live.answer_is_signed(answer, request_nonce(headers))
    assert live.rows("gateway", "SELECT 1 FROM payments WHERE out_trade_no = ?", (out_trade_no,)) == []


def test_healthz_publishes_both_key_ids_and_they_match_the_files(live):
    import httpx

    health = httpx.get(live.gateway_url + "/healthz", timeout=10).json()
    signing = secure.key_id(live.public_key("gateway-signing"))
    encryption = secure.key_id(live.public_key("gateway-encryption"))
    assert signing != encryption
    assert health == {
        "status": "ok",
        "key_id": signing,
        "signing_key_id": signing,
        "encryption_key_id": encryption,
    }
