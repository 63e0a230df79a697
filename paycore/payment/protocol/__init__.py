"""Protocol ``paycore/1``: what the merchant and the gateway share, owned by neither.

Both parties, the attack lab, the exercises and the docs import the protocol from here: its
routes and header names (this module), the canonical strings, the signer and the one verifier
(:mod:`.signing`), the replay window and the nonce store (:mod:`.replay`), the JSON shapes on the
wire (:mod:`.schemas`) and the shape of an answer on the wire (:mod:`.wire`). Nothing in this
package imports a web framework or an HTTP client, so a notebook or an exercise that only needs
to build a canonical string loads no server. ``docs/PROTOCOL.md`` is the written form.
"""

from __future__ import annotations

VERSION = "paycore/1"

# -- routes of the gateway API ------------------------------------------------------------------
PAYMENTS_PATH = "/v1/payments"
REFUNDS_PATH = "/v1/refunds"

# -- headers ----------------------------------------------------------------------------------------
KEY_ID = "Paycore-Key-Id"
TIMESTAMP = "Paycore-Timestamp"
NONCE = "Paycore-Nonce"
ALGORITHM = "Paycore-Signature-Algorithm"
SIGNATURE = "Paycore-Signature"
SIGNATURE_HEADERS = (KEY_ID, TIMESTAMP, NONCE, ALGORITHM, SIGNATURE)
IDEMPOTENCY_KEY = "Idempotency-Key"


def payment_path(out_trade_no: str) -> str:
    """The query route of one payment: ``/v1/payments/{out_trade_no}``.

    >>> payment_path("ord_1-1")
    '/v1/payments/ord_1-1'
    """
    return f"{PAYMENTS_PATH}/{out_trade_no}"


def envelope_context(merchant_id: str, out_trade_no: str) -> bytes:
    """The associated data that binds a payer envelope to one merchant's one order.

    >>> envelope_context("M100001", "ord_1-1")
    b'M100001\\nord_1-1'
    """
    return f"{merchant_id}\n{out_trade_no}".encode()
