"""Money, the order state machine and payment methods: pure domain rules."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paycore.payment.methods import (
    Card,
    Wallet,
    luhn_valid,
    mask_card_number,
    method_from_json,
    method_to_json,
)
from paycore.payment.money import CURRENCY_EXPONENTS, MAX_MINOR_UNITS, Money
from paycore.payment.orders import TRANSITIONS, IllegalTransition, OrderStatus, check_transition

# Published test card numbers (Visa, Mastercard, Amex, Discover, JCB, UnionPay): all pass Luhn.
TEST_CARDS = [
    "4111111111111111",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "3530111333300000",
    "6200000000000005",
]


@pytest.mark.parametrize(
    "value, currency, error",
    [
        (123.45, "CNY", TypeError),
        (100.0, "CNY", TypeError),
        ("100", "CNY", TypeError),
        (True, "CNY", TypeError),
        (0, "CNY", ValueError),
        (-1, "CNY", ValueError),
        (MAX_MINOR_UNITS + 1, "CNY", ValueError),
        (100, "XYZ", ValueError),
        (100, "cny", ValueError),
        (100, None, TypeError),
    ],
)
def test_money_rejects_what_is_not_a_positive_integer_amount_of_a_known_currency(value, currency, error):
    with pytest.raises(error):
        Money(value, currency)


def test_money_float_error_explains_minor_units():
    with pytest.raises(TypeError, match="12345"):
        Money(123.45, "CNY")


def test_money_formats_with_the_currency_exponent():
    assert [str(Money(v, c)) for v, c in [(12345, "CNY"), (5, "USD"), (500, "JPY"), (1234, "KWD")]] == [
        "CNY 123.45",
        "USD 0.05",
        "JPY 500",
        "KWD 1.234",
    ]
    assert CURRENCY_EXPONENTS["JPY"] == 0 and CURRENCY_EXPONENTS["BHD"] == 3


def test_money_json_is_strict():
    assert Money.from_json({"value": 1, "currency": "EUR"}) == Money(1, "EUR")
    for bad in (
        {"value": 1.0, "currency": "EUR"},
        {"value": 1},
        {"value": 1, "currency": "EUR", "x": 0},
        [1],
    ):
        with pytest.raises((TypeError, ValueError)):
            Money.from_json(bad)


def test_money_addition_checks_currency():
    assert Money(1, "CNY") + Money(2, "CNY") == Money(3, "CNY")
    with pytest.raises(ValueError, match="currency mismatch"):
        Money(1, "CNY") + Money(2, "USD")


def test_every_transition_outside_the_table_raises():
    for current, new in itertools.product(OrderStatus, OrderStatus):
        if new in TRANSITIONS[current]:
            check_transition(current, new)
        else:
            with pytest.raises(IllegalTransition):
                check_transition(current, new)


def test_the_state_machine_has_the_documented_paths():
    S = OrderStatus
    for path in (
        [S.CREATED, S.PAYING, S.PAID, S.REFUNDED],
        [S.CREATED, S.PAYING, S.PAID, S.PARTIALLY_REFUNDED, S.PARTIALLY_REFUNDED, S.REFUNDED],
        [S.CREATED, S.CLOSED],
        [S.CREATED, S.PAYING, S.FAILED, S.PAYING, S.PAID],
        [S.CREATED, S.PAYING, S.FAILED, S.CLOSED],
    ):
        for current, new in itertools.pairwise(path):
            check_transition(current, new)
    assert TRANSITIONS[S.REFUNDED] == TRANSITIONS[S.CLOSED] == frozenset()
    with pytest.raises(IllegalTransition, match="PAYING to CLOSED"):
        check_transition(S.PAYING, S.CLOSED)


@pytest.mark.parametrize("number", TEST_CARDS)
def test_published_test_cards_pass_luhn(number):
    assert luhn_valid(number)


@given(
    st.sampled_from(TEST_CARDS), st.integers(min_value=0, max_value=14), st.integers(min_value=1, max_value=9)
)
def test_any_single_digit_typo_fails_luhn(number, position, delta):
    position %= len(number)
    typo = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not luhn_valid(typo)


def test_card_validation_and_masking():
    card = Card("4111111111111111", "12/30", "123")
    assert card.masked == mask_card_number(card.number) == "411111******1111"
    assert "4111111111111111" not in repr(card) and "123" not in repr(card)
    assert not card.expired(2030, 12) and card.expired(2031, 1)
    for number, expiry, cvv, message in [
        ("4111111111111112", "12/30", "123", "Luhn"),
        ("4111", "12/30", "123", "12 to 19"),
        ("4111111111111111", "13/30", "123", "MM/YY"),
        ("4111111111111111", "12/30", "12", "CVV"),
    ]:
        with pytest.raises(ValueError, match=message):
            Card(number, expiry, cvv)
    with pytest.raises(TypeError):
        Card(4111111111111111, "12/30", "123")


def test_tokens_are_keyed_and_stable():
    card = Card("4111111111111111", "12/30", "123")
    assert card.token(b"k1") == Card("4111111111111111", "12/30", "999").token(b"k1")  # CVV not part of it
    assert card.token(b"k1") != Card("4111111111111111", "01/29", "123").token(b"k1")  # expiry is
    assert card.token(b"k1") != card.token(b"k2")
    assert "4111111111111111" not in card.token(b"k1")


def test_wallets_and_method_json():
    assert Wallet("W-alice").masked == "W-al***ce"
    with pytest.raises(ValueError):
        Wallet("alice")
    for method in (Card("5555555555554444", "06/29", "321"), Wallet("W-bob")):
        assert method_from_json(method_to_json(method)) == method
    for bad in ({"type": "cash"}, {"type": "card", "number": "4111111111111111"}, [], {"type": "wallet"}):
        with pytest.raises(ValueError):
            method_from_json(bad)
