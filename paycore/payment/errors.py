"""Every way the payment flow says no: a stable code, its HTTP status and a one-line meaning.

The codes are part of protocol ``paycore/1``: clients branch on the code, people read the message.
Each member of :class:`ErrorCode` carries the HTTP status it is answered with, who may answer it,
and what it means; ``docs/PROTOCOL.md``'s table of error codes is generated from this enum, so
the document cannot drift from the code. Messages say what was wrong and never echo secrets or
card numbers.
"""

from __future__ import annotations

import enum

_GATEWAY = "gateway (signed)"
_PROTOCOL = "gateway (signed); merchant, on notifications"
_UNAUTHENTICATED = "gateway (unsigned); merchant, on notifications"
_MERCHANT = "merchant"
_APPS = "both HTTP apps (unsigned)"


class ErrorCode(str, enum.Enum):
    """A refusal's stable code, with ``status`` (its HTTP status), ``raised_by`` and ``meaning``.

    ``statuses`` lists every status the code may be answered with; the first is the default.

    >>> ErrorCode.REPLAYED_NONCE.status, ErrorCode.INVALID_REQUEST.statuses
    (401, (422, 400))
    """

    def __new__(cls, code: str, statuses: int | tuple[int, ...], raised_by: str, meaning: str) -> ErrorCode:
        member = str.__new__(cls, code)
        member._value_ = code
        member.statuses = statuses if isinstance(statuses, tuple) else (statuses,)
        member.raised_by = raised_by
        member.meaning = meaning
        return member

    @property
    def status(self) -> int:
        """The HTTP status this code is answered with unless the raiser says otherwise."""
        return self.statuses[0]

    def __str__(self) -> str:
        return self.value

    # -- authentication and freshness (section 5 and 8 of PROTOCOL.md) ---------------------------
    MALFORMED_HEADERS = (
        "MALFORMED_HEADERS",
        401,
        _UNAUTHENTICATED,
        "a signature header is missing, sent twice or ill-formed (section 5.2). Fix the client.",
    )
    UNSUPPORTED_ALGORITHM = (
        "UNSUPPORTED_ALGORITHM",
        401,
        _UNAUTHENTICATED,
        "unknown algorithm name, or not the algorithm registered with this key.",
    )
    UNKNOWN_KEY = (
        "UNKNOWN_KEY",
        401,
        _UNAUTHENTICATED,
        "no registered merchant key has this id; at the merchant: the notification is not signed by "
        "the gateway's key.",
    )
    INVALID_SIGNATURE = (
        "INVALID_SIGNATURE",
        401,
        _UNAUTHENTICATED,
        "the signature does not match: bytes changed in transit, a wrong canonical string (path, "
        "method, nonce, timestamp) or the wrong key.",
    )
    TIMESTAMP_OUT_OF_WINDOW = (
        "TIMESTAMP_OUT_OF_WINDOW",
        401,
        _PROTOCOL,
        "more than 300 s old or in the future. Check the clock; sign again, never resend old bytes "
        "with old headers.",
    )
    REPLAYED_NONCE = (
        "REPLAYED_NONCE",
        401,
        _PROTOCOL,
        "this nonce was already used: a replay. Sign again with a fresh nonce.",
    )
    # -- idempotency (section 9) ------------------------------------------------------------------
    IDEMPOTENCY_KEY_REQUIRED = (
        "IDEMPOTENCY_KEY_REQUIRED",
        400,
        _GATEWAY,
        "`POST /v1/payments` and `POST /v1/refunds` need an `Idempotency-Key`.",
    )
    IDEMPOTENCY_KEY_REUSED = (
        "IDEMPOTENCY_KEY_REUSED",
        422,
        _GATEWAY,
        "this key was used for a different request. Use one key per logical request.",
    )
    REQUEST_IN_PROGRESS = (
        "REQUEST_IN_PROGRESS",
        409,
        _GATEWAY,
        "the first request with this key is still running. Retry shortly with the same key, or query.",
    )
    # -- the request body -------------------------------------------------------------------------
    PAYLOAD_TOO_LARGE = ("PAYLOAD_TOO_LARGE", 413, _APPS, "the body is over 65536 bytes.")
    UNSUPPORTED_MEDIA_TYPE = (
        "UNSUPPORTED_MEDIA_TYPE",
        415,
        _APPS,
        "a body sent without `Content-Type: application/json` (whose only parameter may be `charset=utf-8`).",
    )
    MALFORMED_JSON = (
        "MALFORMED_JSON",
        400,
        "gateway (signed); merchant",
        "the body is not valid JSON in UTF-8.",
    )
    DUPLICATE_JSON_KEY = (
        "DUPLICATE_JSON_KEY",
        400,
        "gateway (signed); merchant",
        "a JSON object names the same key twice: two readers could take different values, so such a "
        "body is never read. Send each key once.",
    )
    INVALID_REQUEST = (
        "INVALID_REQUEST",
        (422, 400),
        "gateway (signed); merchant",
        "the body breaks the schema, or a value is invalid (amount, currency, payer details, a missing "
        "`X-User-Id`): 422; an ill-formed `Idempotency-Key`: 400. The message names the field.",
    )
    PAYER_UNREADABLE = (
        "PAYER_UNREADABLE",
        400,
        _GATEWAY,
        "the envelope cannot be opened with the gateway's encryption key for this merchant and order "
        "(another key, tampered, moved from another order).",
    )
    MERCHANT_MISMATCH = (
        "MERCHANT_MISMATCH",
        403,
        "gateway (signed); merchant, on results",
        "the body's `merchant_id` is not the signing key's merchant; at the merchant: a result for "
        "another merchant (an alert is raised).",
    )
    NOTIFY_URL_NOT_ALLOWED = (
        "NOTIFY_URL_NOT_ALLOWED",
        422,
        _GATEWAY,
        "the `notify_url` is not on an origin registered for this merchant: the gateway sends "
        "notifications only where the merchant said, at registration, that it listens.",
    )
    # -- business rules ---------------------------------------------------------------------------
    DUPLICATE_OUT_TRADE_NO = (
        "DUPLICATE_OUT_TRADE_NO",
        409,
        _GATEWAY,
        "this `out_trade_no` was already used. Query it instead of paying again.",
    )
    PAYMENT_NOT_FOUND = (
        "PAYMENT_NOT_FOUND",
        404,
        _GATEWAY,
        "no payment with this `out_trade_no` for this merchant (query, refund). See section 11.",
    )
    REFUND_NOT_ALLOWED = (
        "REFUND_NOT_ALLOWED",
        409,
        "gateway (signed); merchant",
        "the payment did not succeed, the amount exceeds what remains, the currency differs, the "
        "refund number was used, or the merchant's balance is too low.",
    )
    ORDER_NOT_FOUND = (
        "ORDER_NOT_FOUND",
        404,
        _MERCHANT,
        "no such order for this user (the same answer for another user's order); on a result: an "
        "unknown `out_trade_no` (an alert is raised).",
    )
    ORDER_NOT_PAYABLE = (
        "ORDER_NOT_PAYABLE",
        409,
        _MERCHANT,
        "the order's state does not allow this move (already PAYING or PAID, CLOSED ...), or it "
        "changed meanwhile. Read it again.",
    )
    ORDER_EXPIRED = (
        "ORDER_EXPIRED",
        409,
        _MERCHANT,
        "the order was not paid within 15 minutes and is closed. Create a new one.",
    )
    AMOUNT_MISMATCH = (
        "AMOUNT_MISMATCH",
        422,
        _MERCHANT,
        "step 3.2: the amount paid is not the order's; step 3.6: a signed result names another amount "
        "than the order's (an alert is raised).",
    )
    AUTHENTICATION_REQUIRED = (
        "AUTHENTICATION_REQUIRED",
        401,
        _MERCHANT,
        "an operator endpoint (`/admin/reconcile`) without the right `X-Admin-Token`. (A missing "
        "`X-User-Id` is `422 INVALID_REQUEST`: it stands in for a login.)",
    )
    # -- the link between the parties -------------------------------------------------------------
    GATEWAY_UNAVAILABLE = (
        "GATEWAY_UNAVAILABLE",
        503,
        _MERCHANT,
        "the gateway could not be reached after three attempts. The order stays PAYING until reconciled.",
    )
    GATEWAY_RESPONSE_INVALID = (
        "GATEWAY_RESPONSE_INVALID",
        502,
        _MERCHANT,
        "the gateway's answer is unsigned, signed by another key, not bound to this request, outside "
        "the window, or not the expected JSON: treated as forged. The order stays PAYING until "
        "reconciled.",
    )
    STORAGE_UNAVAILABLE = (
        "STORAGE_UNAVAILABLE",
        503,
        "gateway (signed); merchant",
        "the party's database cannot be written (a full disk, say). Nothing was changed; retry later "
        "with the same `Idempotency-Key`.",
    )
    REQUEST_TIMEOUT = (
        "REQUEST_TIMEOUT",
        408,
        _APPS,
        "the request's headers or body did not arrive in time (section 4): a slow or stalled client.",
    )
    NOT_FOUND = ("NOT_FOUND", 404, _APPS, "no such endpoint.")
    METHOD_NOT_ALLOWED = ("METHOD_NOT_ALLOWED", 405, _APPS, "the endpoint does not take this method.")
    INTERNAL_ERROR = (
        "INTERNAL_ERROR",
        500,
        _APPS,
        "an unexpected bug; no detail leaves the process (the log names only the exception type and line).",
    )


class PaymentError(Exception):
    """A refusal: an :class:`ErrorCode`, a message for people, and the HTTP status it is answered with.

    ``status`` defaults to the code's own; another status must be one the code declares, so the
    table in PROTOCOL.md stays complete. ``order_id`` names the order a refusal concerns, when the
    merchant records an alert about it.

    >>> PaymentError(ErrorCode.ORDER_NOT_FOUND, "no such order").status
    404
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        status: int | None = None,
        order_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = ErrorCode(code)
        if status is not None and status not in self.code.statuses:
            raise ValueError(f"{self.code.value} is never answered with {status} (see ErrorCode)")
        self.status = self.code.status if status is None else status
        self.message = message
        self.order_id = order_id

    def to_json(self) -> dict:
        """The JSON error body every rejection uses."""
        return {"error": {"code": self.code.value, "message": self.message}}

    def __repr__(self) -> str:
        return f"PaymentError({self.code.value!r}, {self.message!r}, status={self.status})"
