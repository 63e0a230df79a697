"""Every way the payment flow says no: a stable code, an HTTP status and a clear message.

Codes are part of the protocol (``docs/PROTOCOL.md`` lists them): clients branch on the code,
people read the message. Messages say what was wrong and never echo secrets or card numbers.
"""

from __future__ import annotations


class PaymentError(Exception):
    """A refusal with a stable ``code`` and the HTTP ``status`` it maps to."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def to_json(self) -> dict:
        """The JSON error body every rejection uses."""
        return {"error": {"code": self.code, "message": self.message}}

    def __repr__(self) -> str:
        return f"PaymentError({self.code!r}, {self.message!r}, status={self.status})"


# -- the protocol's codes (authentication and freshness) ------------------------------------
MALFORMED_HEADERS = "MALFORMED_HEADERS"
UNSUPPORTED_ALGORITHM = "UNSUPPORTED_ALGORITHM"
UNKNOWN_KEY = "UNKNOWN_KEY"
INVALID_SIGNATURE = "INVALID_SIGNATURE"
TIMESTAMP_OUT_OF_WINDOW = "TIMESTAMP_OUT_OF_WINDOW"
REPLAYED_NONCE = "REPLAYED_NONCE"
# -- idempotency -----------------------------------------------------------------------------
IDEMPOTENCY_KEY_REQUIRED = "IDEMPOTENCY_KEY_REQUIRED"
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
REQUEST_IN_PROGRESS = "REQUEST_IN_PROGRESS"
# -- the request body ------------------------------------------------------------------------
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
MALFORMED_JSON = "MALFORMED_JSON"
INVALID_REQUEST = "INVALID_REQUEST"
PAYER_UNREADABLE = "PAYER_UNREADABLE"
MERCHANT_MISMATCH = "MERCHANT_MISMATCH"
# -- business rules ----------------------------------------------------------------------------
DUPLICATE_OUT_TRADE_NO = "DUPLICATE_OUT_TRADE_NO"
PAYMENT_NOT_FOUND = "PAYMENT_NOT_FOUND"
REFUND_NOT_ALLOWED = "REFUND_NOT_ALLOWED"
ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
ORDER_NOT_PAYABLE = "ORDER_NOT_PAYABLE"
ORDER_EXPIRED = "ORDER_EXPIRED"
AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
AUTHENTICATION_REQUIRED = "AUTHENTICATION_REQUIRED"
"""Raised on the merchant's operator endpoints without the right ``X-Admin-Token``."""
# -- the link between the parties -------------------------------------------------------------
GATEWAY_UNAVAILABLE = "GATEWAY_UNAVAILABLE"
GATEWAY_RESPONSE_INVALID = "GATEWAY_RESPONSE_INVALID"
NOT_FOUND = "NOT_FOUND"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
INTERNAL_ERROR = "INTERNAL_ERROR"
