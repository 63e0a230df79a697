"""The wire models alone: strict parsing, refusals that name the field and never echo the value."""

import pytest

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.protocol import envelope_context, payment_path, schemas
from tests.payment.builders import payment_resource


def test_a_payment_resource_parses_strictly():
    resource = schemas.validate(schemas.PaymentResource, payment_resource("T-1", 100), "payment")
    assert resource.amount.value == 100 and resource.payer.display == "411111******1111"
    for change in ({"amount": {"value": 100.0, "currency": "CNY"}}, {"refunded": "0"}, {"extra": 1}):
        with pytest.raises(PaymentError) as refusal:
            schemas.validate(schemas.PaymentResource, {**payment_resource("T-1", 100), **change}, "payment")
        assert refusal.value.code is ErrorCode.INVALID_REQUEST
        assert refusal.value.message.startswith("invalid payment: ")


def test_parse_tells_bad_json_from_a_bad_document():
    with pytest.raises(PaymentError) as bad_json:
        schemas.parse(schemas.RefundRequest, b'{"merchant_id": ')
    assert (bad_json.value.code, bad_json.value.status) == (ErrorCode.MALFORMED_JSON, 400)
    assert bad_json.value.message == "the body is not valid JSON"
    with pytest.raises(PaymentError) as bad_document:
        schemas.parse(schemas.RefundRequest, b'{"merchant_id": "M100001"}')
    assert (bad_document.value.code, bad_document.value.status) == (ErrorCode.INVALID_REQUEST, 422)
    assert bad_document.value.message.startswith("invalid request: out_trade_no: ")


def test_a_refused_value_is_never_echoed():
    body = (
        b'{"merchant_id": "4111111111111111!", "out_trade_no": "T-1", "out_refund_no": "R-1",'
        b' "amount": {"value": 1, "currency": "CNY"}}'
    )
    with pytest.raises(PaymentError) as refusal:
        schemas.parse(schemas.RefundRequest, body)
    assert "merchant_id" in refusal.value.message and "4111111111111111" not in refusal.value.message


def test_describe_problems_names_up_to_five_fields_without_the_body_prefix():
    problems = [{"loc": ("body", "amount", "value"), "msg": "bad"}] + [
        {"loc": (f"f{i}",), "msg": "m"} for i in range(6)
    ]
    assert schemas.describe_problems(problems) == "amount.value: bad; f0: m; f1: m; f2: m; f3: m"
    assert schemas.describe_problems([{"loc": ("body",)}]) == "body: invalid"
    assert schemas.describe_problems([{"msg": "m"}]) == "body: m"
    assert schemas.describe_problems([{"loc": ("x", "body"), "msg": "m"}]) == "x.body: m"


def test_routes_and_the_envelope_context():
    assert payment_path("T-1") == "/v1/payments/T-1"
    assert envelope_context("M1", "T-1") == b"M1\nT-1"
