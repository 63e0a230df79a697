"""Protocol messages built from the protocol module alone: bodies, signed headers, resources, events.

For tests of one party at a time: the gateway's tests sign requests with a
:class:`~paycore.payment.protocol.signing.MessageSigner` and seal payers with ``paycore.secure``
here, without a merchant service; the merchant's tests build the gateway's resources and events.
"""

from __future__ import annotations

import json
import uuid

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment.merchant.store import Order
from paycore.payment.methods import PaymentMethod, method_to_json
from paycore.payment.money import Money
from paycore.payment.orders import OrderStatus
from paycore.payment.protocol import envelope_context
from paycore.payment.protocol.signing import MessageSigner
from paycore.payment.protocol.wire import encode_json

MERCHANT_ID = "M100001"
NOTIFY_URL = "http://merchant.paycore.test/paycore/notify"
T0 = 1_764_201_600


def payment_body(
    gateway_public_key: rsa.RSAPublicKey,
    out_trade_no: str,
    amount: Money,
    method: PaymentMethod,
    *,
    merchant_id: str = MERCHANT_ID,
    sealed_for: tuple[str, str] | None = None,
    notify_url: str = NOTIFY_URL,
) -> bytes:
    """A payment request; the payer sealed for ``sealed_for`` (merchant, order), by default this one."""
    context = envelope_context(*(sealed_for or (merchant_id, out_trade_no)))
    sealed = secure.seal(
        gateway_public_key, json.dumps(method_to_json(method)).encode(), associated_data=context
    )
    return encode_json(
        {
            "merchant_id": merchant_id,
            "out_trade_no": out_trade_no,
            "amount": amount.to_json(),
            "description": "test",
            "notify_url": notify_url,
            "payer": sealed.to_dict(),
        },
        sort_keys=False,
    )


def refund_body(
    out_trade_no: str, out_refund_no: str, amount: Money, *, merchant_id: str = MERCHANT_ID
) -> bytes:
    return encode_json(
        {
            "merchant_id": merchant_id,
            "out_trade_no": out_trade_no,
            "out_refund_no": out_refund_no,
            "amount": amount.to_json(),
            "reason": "",
        },
        sort_keys=False,
    )


def signed(
    signer: MessageSigner,
    method: str,
    target: str,
    body: bytes,
    *,
    timestamp: float,
    idempotency_key: str | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Headers of a request signed by ``signer``; POSTs get an ``Idempotency-Key`` unless one is given."""
    headers = {
        "Content-Type": "application/json",
        **signer.sign_request(method, target, body, timestamp=int(timestamp), nonce=nonce),
    }
    if method == "POST":
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
    return headers


def payment_resource(
    out_trade_no: str,
    amount: int,
    *,
    currency: str = "CNY",
    merchant_id: str = MERCHANT_ID,
    status: str = "SUCCEEDED",
    payment_id: str = "pay_0001",
    failure_code: str | None = None,
    refunded: int = 0,
) -> dict:
    """A payment resource as the gateway answers it."""
    return {
        "payment_id": payment_id,
        "merchant_id": merchant_id,
        "out_trade_no": out_trade_no,
        "status": status,
        "amount": {"value": amount, "currency": currency},
        "refunded": refunded,
        "payer": {"type": "card", "display": "411111******1111"},
        "failure_code": failure_code,
        "created_at": 1_764_201_600,
    }


def refund_resource(out_trade_no: str, amount: int, total: int, *, out_refund_no: str | None = None) -> dict:
    """A refund resource as the gateway answers it."""
    return {
        "refund_id": f"ref_{total}",
        "merchant_id": MERCHANT_ID,
        "out_refund_no": out_refund_no or f"{out_trade_no}-R{total}",
        "out_trade_no": out_trade_no,
        "status": "SUCCEEDED",
        "amount": {"value": amount, "currency": "CNY"},
        "payment_refunded_total": total,
        "created_at": 1_764_201_600,
    }


def event_body(event_type: str, data: dict, *, event_id: str = "evt_0001") -> bytes:
    """A notification body."""
    return encode_json({"event_id": event_id, "type": event_type, "created_at": 1_764_201_600, "data": data})


def order_record(
    order_id: str = "ord_a", *, status: OrderStatus = OrderStatus.CREATED, amount: int = 1000, **columns
) -> Order:
    """An order as the merchant stores it; past CREATED it has an attempt (``{order_id}-1``) by default."""
    if status is not OrderStatus.CREATED:
        columns.setdefault("attempts", 1)
        columns.setdefault("out_trade_no", f"{order_id}-{columns['attempts']}")
        columns.setdefault("paying_since", T0)
    columns.setdefault("expires_at", T0 + 900)
    return Order(
        order_id=order_id,
        user_id="alice",
        items=json.dumps([{"sku": "S", "name": "Tea", "quantity": 1, "unit_price": amount}]),
        currency="CNY",
        amount=amount,
        status=status,
        created_at=T0,
        **columns,
    )


def stored(store, order: Order) -> Order:
    """Insert ``order`` into a merchant store as it is; return it."""
    store.run(lambda unit: unit.insert_order(order))
    return order
