"""Alipay's open API, spoken by the gateway: ``/gateway.do`` dispatching on ``method``.

Each request runs these checks, in order, and stops at the first that fails:

1. the query string parses, each parameter once, with ``app_id``, ``method``, ``sign``,
   ``sign_type``, ``timestamp`` and ``version`` present and ``charset`` (if sent) ``utf-8``;
2. ``method`` is one the gateway speaks and ``app_id`` a registered application;
3. ``sign_type`` is ``RSA2`` -- the older ``RSA`` (SHA-1) is refused, so nobody can ask for a weaker hash;
4. the signature covers every other parameter, sorted, with the merchant's public key;
5. the timestamp is within 300 s of the gateway's clock (Alipay has no nonce to check);
6. ``biz_content`` is one JSON object; each method checks its fields.

Failures of 1-5 are an unsigned ``error_response`` (code ``40001`` or ``40002``, ``isv.*``): the
SDK raises only for those. Business refusals are signed ``<method>_response`` objects with code
``40004`` and an ``ACQ.*`` sub-code, which the SDK returns as a dict. Every answer is HTTP 200, as
on the real platform; ``alipay.trade.page.pay``, opened in the payer's browser, redirects to the
cashier instead. What each method does is in :mod:`.alipay_methods`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway.dialects import alipay_wire as wire
from paycore.payment.gateway.dialects import trades
from paycore.payment.gateway.dialects.merchants import ALIPAY, DialectMerchants, KnownMerchant
from paycore.payment.protocol import replay
from paycore.payment.protocol.schemas import check_json_text
from paycore.payment.protocol.wire import Headers, Reply

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from paycore.payment.gateway.service import Gateway

REQUIRED = ("app_id", "method", "sign", "sign_type", "timestamp", "version")
JSON_TYPE = "application/json;charset=utf-8"
REFUSALS = {
    "TRADE_NOT_FOUND": ("ACQ.TRADE_NOT_EXIST", "the trade does not exist"),
    "TRADE_PAID": ("ACQ.TRADE_HAS_SUCCESS", "the trade is already paid"),
    "TRADE_CLOSED": ("ACQ.TRADE_HAS_CLOSE", "the trade is closed"),
    "OUT_TRADE_NO_USED": ("ACQ.INVALID_PARAMETER", "out_trade_no was used for a trade with other terms"),
    "NOT_PAID": ("ACQ.TRADE_STATUS_ERROR", "the trade is not paid"),
    "REFUND_EXCEEDS": ("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "the refund exceeds what is left to refund"),
    "REFUND_NUMBER_USED": ("ACQ.INVALID_PARAMETER", "out_request_no was used for another refund"),
    "REFUND_MISMATCH": ("ACQ.INVALID_PARAMETER", "the refund's currency is not the trade's"),
    "BALANCE_LOW": ("ACQ.SELLER_BALANCE_NOT_ENOUGH", "the seller's balance cannot cover this refund"),
    "INSUFFICIENT_FUNDS": ("ACQ.BUYER_BALANCE_NOT_ENOUGH", "the buyer's balance is too low"),
    "PAYMENT_CODE_INVALID": ("ACQ.PAYMENT_AUTH_CODE_INVALID", "the payment code is invalid or used"),
}
"""Each trade refusal as Alipay answers it: ``(sub_code, sub_msg)`` under code 40004."""


SUB_CODES: dict[str, tuple[str, str]] = {
    **{f"isv.missing-{name.replace('_', '-')}": ("40001", f"`{name}` is missing") for name in REQUIRED},
    "isv.invalid-parameter": ("40002", "not a query string, or a parameter sent twice"),
    "isv.invalid-method": ("40002", "a method the gateway does not speak"),
    "isv.invalid-charset": ("40002", "`charset` other than utf-8"),
    "isv.invalid-format": ("40002", "`format` other than JSON"),
    "isv.invalid-app-id": ("40002", "no application has this `app_id`"),
    "isv.invalid-signature-type": ("40002", "`sign_type` other than RSA2: RSA (SHA-1) is refused"),
    "isv.invalid-signature": ("40002", "the signature does not match (the wrong application key)"),
    "isv.invalid-timestamp": ("40002", "outside the 300 s window, or not `yyyy-MM-dd HH:mm:ss`"),
    "ACQ.INVALID_PARAMETER": (
        "40004",
        "`biz_content` or one of its fields is invalid; a `notify_url` off the registered origins; an "
        "`out_trade_no` or `out_request_no` used with other terms",
    ),
    "ACQ.TRADE_NOT_EXIST": ("40004", "no such trade (or a precreated one nobody has scanned)"),
    "ACQ.TRADE_HAS_SUCCESS": ("40004", "creating again a trade that is paid"),
    "ACQ.TRADE_HAS_CLOSE": ("40004", "creating again a trade that is closed"),
    "ACQ.TRADE_STATUS_ERROR": ("40004", "refunding an unpaid trade, or closing a paid one"),
    "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL": ("40004", "a refund over what is left to refund"),
    "ACQ.SELLER_BALANCE_NOT_ENOUGH": ("40004", "the merchant's balance cannot cover the refund"),
    "ACQ.PAYMENT_AUTH_CODE_INVALID": ("40004", "barcode payment: the code is unknown, expired or used"),
    "ACQ.BUYER_BALANCE_NOT_ENOUGH": ("40004", "barcode payment: the wallet's balance is too low"),
    "isp.unknow-error": ("20000", "the gateway's database cannot be written: nothing changed, retry"),
}
"""Every ``sub_code`` the dialect refuses with: its ``code`` and when (the OpenAPI document's too).
``40001`` and ``40002`` come unsigned in an ``error_response``, the others signed."""


class AlipayError(Exception):
    """A refusal in Alipay's words (a ``sub_code`` of :data:`SUB_CODES`); ``signed`` once authenticated."""

    def __init__(self, code: str, msg: str, sub_code: str, sub_msg: str, *, signed: bool = True) -> None:
        if SUB_CODES.get(sub_code, ("",))[0] != code:
            raise ValueError(f"{sub_code} is not an Alipay sub_code under {code} (see SUB_CODES)")
        super().__init__(sub_msg)
        self.code, self.msg, self.sub_code, self.sub_msg, self.signed = code, msg, sub_code, sub_msg, signed

    def document(self) -> dict:
        return {"code": self.code, "msg": self.msg, "sub_code": self.sub_code, "sub_msg": self.sub_msg}


def missing(name: str) -> AlipayError:
    return AlipayError(
        "40001",
        "Missing Required Arguments",
        f"isv.missing-{name.replace('_', '-')}",
        f"{name} is required",
        signed=False,
    )


def invalid(sub_code: str, sub_msg: str) -> AlipayError:
    return AlipayError("40002", "Invalid Arguments", sub_code, sub_msg, signed=False)


def business(sub_code: str, sub_msg: str) -> AlipayError:
    """A signed ``40004 Business Failed`` refusal."""
    return AlipayError("40004", "Business Failed", sub_code, sub_msg)


def refusal(reason: str, message: str | None = None) -> AlipayError:
    sub_code, text = REFUSALS[reason]
    return business(sub_code, message or text)


class Call:
    """One authenticated request: its merchant, its parameters and its parsed ``biz_content``."""

    def __init__(self, merchant: KnownMerchant, params: dict[str, str], biz: dict) -> None:
        self.merchant, self.params, self.biz = merchant, params, biz

    def text(self, name: str, *, required: bool = True, limit: int = 256) -> str | None:
        """A string field of ``biz_content``."""
        value = self.biz.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value or len(value) > limit:
            raise business("ACQ.INVALID_PARAMETER", f"{name} must be a string of 1-{limit} characters")
        return value

    def amount(self, name: str) -> int:
        """An amount field of ``biz_content``, in fen."""
        try:
            return wire.parse_amount(self.biz.get(name))
        except ValueError as exc:
            raise business("ACQ.INVALID_PARAMETER", f"{name}: {exc}") from None


Method = Callable[[Call], dict | Reply]


class AlipayDialect:
    """``GET /gateway.do`` as a service: :meth:`handle` takes the raw query string, returns a Reply."""

    name = ALIPAY

    def __init__(
        self,
        gateway: Gateway,
        merchants: DialectMerchants,
        private_key: rsa.RSAPrivateKey,
        cashier_url: Callable[[str], str],
        *,
        timezone: tzinfo | None = wire.BEIJING,
        window: int = replay.WINDOW_SECONDS,
    ) -> None:
        from paycore.payment.gateway.dialects import alipay_methods

        self.gateway, self.merchants, self.private_key = gateway, merchants, private_key
        self.cashier_url, self.timezone, self.window = cashier_url, timezone, window
        self.methods = alipay_methods.Methods(self)

    def handle(self, query: str) -> Reply:
        """Checks 1-6, then the method; an error in Alipay's format, never an HTTP error status."""
        method = "alipay.error"
        try:
            params = self._parse(query)
            method = params["method"]
            call = self._authenticate(params)
            answer = self.methods.run(method, call)
        except AlipayError as error:
            answer = error
        except trades.TradeRefusal as error:
            answer = refusal(error.reason, error.message)
        except PaymentError as error:
            if error.code is ErrorCode.STORAGE_UNAVAILABLE:
                answer = AlipayError(
                    "20000", "Service Currently Unavailable", "isp.unknow-error", error.message
                )
            else:
                answer = business("ACQ.INVALID_PARAMETER", error.message)
        if isinstance(answer, Reply):
            return answer
        if isinstance(answer, AlipayError) and not answer.signed:
            body = wire.unsigned_error(answer.code, answer.msg, answer.sub_code, answer.sub_msg)
            return Reply(200, Headers({"Content-Type": JSON_TYPE}), body)
        document = (
            answer.document()
            if isinstance(answer, AlipayError)
            else {"code": "10000", "msg": "Success", **answer}
        )
        body = wire.signed_answer(self.private_key, method.replace(".", "_") + "_response", document)
        return Reply(200, Headers({"Content-Type": JSON_TYPE}), body)

    @staticmethod
    def _parse(query: str) -> dict[str, str]:
        try:
            pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query), errors="strict")
        except (ValueError, UnicodeDecodeError):
            raise invalid(
                "isv.invalid-parameter", "the query string is not application/x-www-form-urlencoded"
            ) from None
        params = dict(pairs)
        if len(params) != len(pairs):
            raise invalid("isv.invalid-parameter", "a parameter was sent more than once")
        for name in REQUIRED:
            if not params.get(name):
                raise missing(name)
        return params

    def _authenticate(self, params: dict[str, str]) -> Call:
        if not self.methods.knows(params["method"]):
            raise invalid("isv.invalid-method", "the gateway does not speak this method")
        if params.get("charset", "utf-8").lower() != "utf-8":
            raise invalid("isv.invalid-charset", "charset must be utf-8")
        if params.get("format", "JSON").upper() != "JSON":
            raise invalid("isv.invalid-format", "format must be JSON")
        merchant = self.merchants.find(ALIPAY, params["app_id"])
        if merchant is None:
            raise invalid("isv.invalid-app-id", "no application has this app_id")
        if params["sign_type"] != wire.SIGN_TYPE:
            raise invalid("isv.invalid-signature-type", "sign_type must be RSA2: RSA (SHA-1) is not accepted")
        if not wire.verify(merchant.public_key, wire.signing_string(params), params["sign"]):
            raise invalid(
                "isv.invalid-signature", "the signature does not match (check the app's private key)"
            )
        try:
            skew = self.gateway.clock.now() - wire.parse_time(params["timestamp"], self.timezone)
        except ValueError:
            raise invalid("isv.invalid-timestamp", "timestamp must be yyyy-MM-dd HH:mm:ss") from None
        if abs(skew) > self.window:
            raise invalid("isv.invalid-timestamp", f"the timestamp is more than {self.window} s off")
        return Call(merchant, params, self._biz(params.get("biz_content", "{}")))

    @staticmethod
    def _biz(text: str) -> dict:
        try:
            check_json_text(text.encode("utf-8"))
        except PaymentError as error:
            raise business("ACQ.INVALID_PARAMETER", f"biz_content: {error.message}") from None
        biz = json.loads(text, parse_float=Decimal)
        if not isinstance(biz, dict):
            raise business("ACQ.INVALID_PARAMETER", "biz_content must be a JSON object")
        return biz

    def paid_notice(self, trade, payment, refund, now: float) -> trades.Queued | None:
        """The asynchronous notification of a trade paid at the cashier (if it has a ``notify_url``)."""
        return self.methods.notice(trade, payment, refund, now)

    def status_name(self, trade, payment) -> str:
        """The trade's status in Alipay's words (``WAIT_BUYER_PAY``, ``TRADE_SUCCESS`` ...)."""
        from paycore.payment.gateway.dialects.alipay_methods import trade_status

        return trade_status(trade, payment)
