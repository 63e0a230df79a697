"""What the gateway does with a request that passed its checks: take a payment, or refund one.

Both run checks 6 and 7 (open the payer's envelope; validate strictly, the merchant's own id
included) and then one unit of work that moves the money, records it, stores the idempotent
answer and queues the signed notification -- all committed together, or nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paycore import errors as crypto_errors
from paycore import secure
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway import ledger
from paycore.payment.gateway.store import GatewayUnitOfWork, PaymentRecord, new_id
from paycore.payment.methods import PaymentMethod, method_from_json
from paycore.payment.money import Money
from paycore.payment.protocol import envelope_context, schemas
from paycore.payment.protocol.signing import Verified
from paycore.payment.protocol.wire import decode_json_object, encode_json

if TYPE_CHECKING:
    from paycore.payment.gateway.service import Gateway


def parse_for(caller: Verified, model: type[schemas.Strict], body: bytes):
    """Check 7's common part: strict parsing, the signer's own merchant id, a valid amount."""
    request = schemas.parse(model, body)
    if request.merchant_id != caller.owner:
        raise PaymentError(
            ErrorCode.MERCHANT_MISMATCH, "merchant_id does not match the signing key's merchant"
        )
    try:
        return request, Money(request.amount.value, request.amount.currency)
    except ValueError as exc:
        raise PaymentError(ErrorCode.INVALID_REQUEST, f"invalid amount: {exc}") from None


def open_payer(gateway: Gateway, request: schemas.PaymentRequest, caller: Verified) -> PaymentMethod:
    """Check 6: the payer's details, opened from an envelope bound to this merchant and order."""
    try:
        plaintext = secure.open_envelope(
            gateway.encryption_key,
            request.payer.model_dump(),
            associated_data=envelope_context(caller.owner, request.out_trade_no),
            expected_key_id=gateway.encryption_key_id,
        )
    except crypto_errors.DecryptionError:
        raise PaymentError(
            ErrorCode.PAYER_UNREADABLE,
            "the payer envelope could not be opened with the gateway's encryption key for this order",
        ) from None
    document = decode_json_object(plaintext)
    if document is None:
        raise PaymentError(ErrorCode.INVALID_REQUEST, "payer details must be a JSON object")
    try:
        return method_from_json(document)
    except (ValueError, TypeError) as exc:
        raise PaymentError(ErrorCode.INVALID_REQUEST, f"invalid payer: {exc}") from None


def answer_and_notify(
    unit: GatewayUnitOfWork,
    caller: Verified,
    idempotency_key: str,
    resource: dict,
    now: float,
    *,
    event_type: str,
    url: str,
) -> None:
    """In the money's unit of work: queue the signed notification and store the idempotent answer."""
    event_id = new_id("evt")
    event = {"event_id": event_id, "type": event_type, "created_at": int(now), "data": resource}
    unit.enqueue(event_id=event_id, merchant_id=caller.owner, url=url, body=encode_json(event), now=now)
    unit.complete_claim(caller.owner, idempotency_key, 200, encode_json(resource))


def pay(gateway: Gateway, caller: Verified, body: bytes, idempotency_key: str) -> tuple[int, dict]:
    """``POST /v1/payments`` after its checks: debit the payer, credit the merchant, or decline."""
    request, money = parse_for(caller, schemas.PaymentRequest, body)
    gateway.merchants.check_notify_url(caller.owner, request.notify_url)
    method = open_payer(gateway, request, caller)
    payer = gateway.issuer.identify(method)
    refused = gateway.issuer.refusal_before_lookup(method)
    now = gateway.clock.now()
    payment_id = new_id("pay")

    def work(unit: GatewayUnitOfWork) -> dict:
        existing = unit.find_payment(caller.owner, request.out_trade_no)
        if existing is not None:
            raise PaymentError(
                ErrorCode.DUPLICATE_OUT_TRADE_NO,
                f"out_trade_no was already used (that payment {existing.status}); "
                "query it instead of paying again",
            )
        known = unit.payer_method(payer.method_id)
        account = known.account_id if known else None
        failure = refused or (
            gateway.issuer.refusal_of(method, known) if known else gateway.issuer.unknown_payer_code(payer)
        )
        if failure is None:
            failure = move_money(unit, caller.owner, account, money, payment_id, now)
        record = PaymentRecord(
            payment_id=payment_id,
            merchant_id=caller.owner,
            out_trade_no=request.out_trade_no,
            status="FAILED" if failure else "SUCCEEDED",
            currency=money.currency,
            amount=money.minor_units,
            refunded=0,
            payer_type=payer.kind,
            payer_display=payer.display,
            payer_account=account,
            failure_code=failure,
            notify_url=request.notify_url,
            created_at=int(now),
        )
        unit.insert_payment(record)
        resource = record.resource()
        event_type = "payment.failed" if failure else "payment.succeeded"
        answer_and_notify(
            unit, caller, idempotency_key, resource, now, event_type=event_type, url=request.notify_url
        )
        return resource

    return 200, gateway.store.run(work)


def move_money(
    unit: GatewayUnitOfWork, merchant_id: str, payer_account: str, money: Money, payment_id: str, now: float
) -> str | None:
    """Debit the payer and credit the merchant; the failure code if the ledger refuses."""
    destination = ledger.merchant_account(merchant_id, money.currency)
    ledger.open_account(unit, destination, "merchant", money.currency)
    try:
        ledger.transfer(
            unit,
            transfer_id=payment_id,
            kind="payment",
            reference=payment_id,
            source=payer_account,
            destination=destination,
            money=money,
            now=now,
        )
    except ledger.InsufficientFunds:
        return "INSUFFICIENT_FUNDS"
    except ledger.UnknownAccount:
        return "CURRENCY_NOT_SUPPORTED"
    return None


def refund(gateway: Gateway, caller: Verified, body: bytes, idempotency_key: str) -> tuple[int, dict]:
    """``POST /v1/refunds`` after its checks: return money from a succeeded payment, in full or in part."""
    request, money = parse_for(caller, schemas.RefundRequest, body)
    now = gateway.clock.now()
    refund_id = new_id("ref")

    def work(unit: GatewayUnitOfWork) -> dict:
        payment = unit.find_payment(caller.owner, request.out_trade_no)
        if payment is None:
            raise PaymentError(ErrorCode.PAYMENT_NOT_FOUND, "no payment with this out_trade_no")
        _check_refundable(unit, caller.owner, request.out_refund_no, payment, money)
        try:
            ledger.transfer(
                unit,
                transfer_id=refund_id,
                kind="refund",
                reference=payment.payment_id,
                source=ledger.merchant_account(caller.owner, money.currency),
                destination=payment.payer_account,
                money=money,
                now=now,
            )
        except ledger.InsufficientFunds:
            raise PaymentError(
                ErrorCode.REFUND_NOT_ALLOWED, "the merchant's balance cannot cover this refund"
            ) from None
        unit.add_refunded(payment.payment_id, money.minor_units)
        unit.insert_refund(
            refund_id=refund_id,
            merchant_id=caller.owner,
            out_refund_no=request.out_refund_no,
            payment_id=payment.payment_id,
            amount=money.minor_units,
            now=int(now),
        )
        resource = {
            "refund_id": refund_id,
            "merchant_id": caller.owner,
            "out_refund_no": request.out_refund_no,
            "out_trade_no": request.out_trade_no,
            "status": "SUCCEEDED",
            "amount": money.to_json(),
            "payment_refunded_total": payment.refunded + money.minor_units,
            "created_at": int(now),
        }
        answer_and_notify(
            unit,
            caller,
            idempotency_key,
            resource,
            now,
            event_type="refund.succeeded",
            url=payment.notify_url,
        )
        return resource

    return 200, gateway.store.run(work)


def _check_refundable(
    unit: GatewayUnitOfWork, merchant_id: str, out_refund_no: str, payment: PaymentRecord, money: Money
) -> None:
    if unit.refund_number_used(merchant_id, out_refund_no):
        raise PaymentError(ErrorCode.REFUND_NOT_ALLOWED, "out_refund_no was already used")
    if payment.status != "SUCCEEDED":
        raise PaymentError(ErrorCode.REFUND_NOT_ALLOWED, "only a succeeded payment can be refunded")
    if money.currency != payment.currency:
        raise PaymentError(ErrorCode.REFUND_NOT_ALLOWED, "refund currency differs from the payment's")
    remaining = payment.amount - payment.refunded
    if money.minor_units > remaining:
        raise PaymentError(
            ErrorCode.REFUND_NOT_ALLOWED,
            f"refund of {money.minor_units} exceeds the {remaining} not yet refunded",
        )
