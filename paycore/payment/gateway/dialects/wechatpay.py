"""WeChat Pay API v3, spoken by the gateway: every request checked as far as the protocol allows.

Each request runs these checks, in order, and stops at the first that fails:

1. the ``Authorization`` header is well formed, with the one scheme ``WECHATPAY2-SHA256-RSA2048``;
2. ``mchid`` names a registered merchant and ``serial_no`` its certificate;
3. the signature covers the request exactly as sent (method, target, timestamp, nonce, body);
4. the timestamp is within 300 s of the gateway's clock, either side;
5. the nonce was not seen inside that window (the SDK sends a fresh one each time);
6. the body parses strictly, with the caller's own ``mchid`` and ``appid``.

Failures of 1-5 are answered unsigned with ``401 SIGN_ERROR``; every other answer, 204 included, is
signed with the platform's key (``Wechatpay-*`` headers), each refusal with a code of
:data:`.wechatpay_models.CODES`. Orders are idempotent by ``out_trade_no``
and refunds by ``out_refund_no``; paying happens at the cashier (:mod:`.cashier`), and the payment
and refund notifications are queued, encrypted, in the gateway's one outbox (:mod:`.notify`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway.dialects import settlement, trades
from paycore.payment.gateway.dialects import wechatpay_models as models
from paycore.payment.gateway.dialects import wechatpay_wire as wire
from paycore.payment.gateway.dialects.keys import WeChatPayPlatform
from paycore.payment.gateway.dialects.merchants import WECHATPAY, DialectMerchants, KnownMerchant
from paycore.payment.gateway.store import PaymentRecord, RefundRecord, TradeRecord
from paycore.payment.money import Money
from paycore.payment.protocol import replay, schemas
from paycore.payment.protocol.wire import Headers, Reply, encode_json

if TYPE_CHECKING:
    from paycore.payment.gateway.service import Gateway

Action = Callable[[KnownMerchant, bytes], "tuple[int, dict | None]"]
REFUSALS = {
    "TRADE_NOT_FOUND": "ORDER_NOT_EXIST",
    "TRADE_PAID": "ORDERPAID",
    "TRADE_CLOSED": "ORDER_CLOSED",
    "OUT_TRADE_NO_USED": "OUT_TRADE_NO_USED",
    "NOT_PAID": "INVALID_REQUEST",
    "REFUND_EXCEEDS": "INVALID_REQUEST",
    "REFUND_NUMBER_USED": "INVALID_REQUEST",
    "REFUND_MISMATCH": "PARAM_ERROR",
    "BALANCE_LOW": "NOT_ENOUGH",
}
"""Each trade refusal's code in WeChat Pay's words (its status is in :data:`.wechatpay_models.CODES`)."""


def _sign_error(message: str) -> models.WeChatPayError:
    return models.WeChatPayError("SIGN_ERROR", message)


def _param_error(message: str) -> models.WeChatPayError:
    return models.WeChatPayError("PARAM_ERROR", message)


def _refusal(error: models.WeChatPayError | trades.TradeRefusal | PaymentError) -> tuple[int, dict]:
    """Any refusal in WeChat Pay's words: its HTTP status and ``{"code", "message"}``."""
    if isinstance(error, trades.TradeRefusal):
        error = models.WeChatPayError(REFUSALS[error.reason], error.message)
    elif isinstance(error, PaymentError):  # the database, or a value the shared service refused
        code = "SYSTEM_ERROR" if error.code is ErrorCode.STORAGE_UNAVAILABLE else "PARAM_ERROR"
        error = models.WeChatPayError(code, error.message)
    return error.status, error.document()


class WeChatPayDialect:
    """The WeChat Pay v3 endpoints as a service: ``handle_*`` take the request's bytes, return a Reply."""

    name = WECHATPAY

    def __init__(
        self,
        gateway: Gateway,
        merchants: DialectMerchants,
        platform: WeChatPayPlatform,
        cashier_url: Callable[[str], str],
        window: int = replay.WINDOW_SECONDS,
    ) -> None:
        self.gateway = gateway
        self.merchants = merchants
        self.platform = platform
        self.cashier_url = cashier_url
        self.window = window

    # -- the pipeline -------------------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes, action: Action
    ) -> Reply:
        """Checks 1-5, then ``action``; the answer signed unless one of checks 1-5 failed (401)."""
        headers = Headers(headers)
        try:
            merchant = self._authenticate(method, target, headers, body)
        except models.WeChatPayError as refusal:
            return Reply(
                refusal.status, Headers({"Content-Type": "application/json"}), encode_json(refusal.document())
            )
        except PaymentError as error:  # the nonce could not be recorded: 503, in WeChat Pay's words
            return self._signed(headers, *_refusal(error))
        try:
            status, document = action(merchant, body)
        except (models.WeChatPayError, trades.TradeRefusal, PaymentError) as error:
            status, document = _refusal(error)
        return self._signed(headers, status, document)

    def _authenticate(self, method: str, target: str, headers: Headers, body: bytes) -> KnownMerchant:
        try:
            auth = wire.parse_authorization(headers.get_all("Authorization"))
        except wire.AuthorizationError as exc:
            raise _sign_error(str(exc)) from None
        merchant = self.merchants.find(WECHATPAY, auth.mchid)
        if merchant is None or auth.serial_no != merchant.record.key_serial:
            raise _sign_error("no merchant has this mchid and certificate serial_no")
        message = wire.request_message(method, target, auth.timestamp, auth.nonce_str, body)
        if not wire.verify(merchant.public_key, message, auth.signature):
            raise _sign_error("the signature does not match the request (or the merchant's key)")
        now = self.gateway.clock.now()
        if abs(now - auth.timestamp) > self.window:
            raise _sign_error(f"the timestamp is more than {self.window} s off")

        def remember(unit) -> bool:
            expiry = replay.nonce_expiry(auth.timestamp, now, self.window)
            return unit.remember_nonce(f"wechatpay:{auth.serial_no}", auth.nonce_str, expiry, now)

        if not self.gateway.store.run(remember, durable=False):
            raise _sign_error("this nonce_str was already used: a replay")
        return merchant

    def _signed(self, headers: Headers, status: int, document: dict | None) -> Reply:
        body = b"" if document is None else encode_json(document)
        asked = headers.get("Wechatpay-Serial")
        serial = (
            self.platform.public_key_id if asked == self.platform.public_key_id else self.platform.serial_no
        )
        answer = {
            "Content-Type": "application/json",
            "Request-ID": uuid.uuid4().hex,
            **wire.signed_headers(self.platform.private_key, serial, body, int(self.gateway.clock.now())),
        }
        return Reply(status, Headers(answer), body)

    # -- the endpoints --------------------------------------------------------------------------------
    def handle_order(self, kind: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """``POST /v3/pay/transactions/{native|jsapi|app|h5}``: a trade waiting for the payer."""
        return self.handle(
            "POST", target, headers, body, lambda merchant, raw: self._order(kind, merchant, raw)
        )

    def handle_query(self, target: str, headers: Mapping[str, str], **by: str) -> Reply:
        """``GET .../out-trade-no/{no}?mchid=`` or ``GET .../id/{transaction_id}?mchid=``."""
        return self.handle(
            "GET", target, headers, b"", lambda merchant, raw: self._query(merchant, target, raw, by)
        )

    def handle_close(self, out_trade_no: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """``POST .../out-trade-no/{no}/close``: 204, signed."""
        return self.handle(
            "POST", target, headers, body, lambda merchant, raw: self._close(merchant, raw, out_trade_no)
        )

    def handle_refund(self, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """``POST /v3/refund/domestic/refunds``."""
        return self.handle("POST", target, headers, body, self._refund)

    def handle_refund_query(self, out_refund_no: str, target: str, headers: Mapping[str, str]) -> Reply:
        """``GET /v3/refund/domestic/refunds/{out_refund_no}``."""
        return self.handle(
            "GET",
            target,
            headers,
            b"",
            lambda merchant, raw: self._refund_query(merchant, raw, out_refund_no),
        )

    def handle_certificates(self, target: str, headers: Mapping[str, str]) -> Reply:
        """``GET /v3/certificates``: the platform certificate, encrypted under the caller's APIv3 key."""
        return self.handle("GET", target, headers, b"", self._certificates)

    # -- what each endpoint does ------------------------------------------------------------------------
    @staticmethod
    def _parse(model: type[schemas.Strict], body: bytes):
        try:
            return schemas.parse(model, body)
        except PaymentError as error:
            raise _param_error(error.message) from None

    @staticmethod
    def _check_mchid(merchant: KnownMerchant, mchid: str | None) -> None:
        if mchid != merchant.record.external_id:
            raise _param_error("mchid is not the signing merchant's")

    def _order(self, kind: str, merchant: KnownMerchant, body: bytes) -> tuple[int, dict]:
        request = self._parse(models.OrderRequest, body)
        self._check_mchid(merchant, request.mchid)
        if request.appid != merchant.record.appid:
            raise models.WeChatPayError("APPID_MCHID_NOT_MATCH", "appid is not bound to this mchid")
        trade_type = models.TRADE_TYPES[kind]
        if trade_type == "JSAPI" and request.payer is None:
            raise _param_error("a JSAPI order names its payer (payer.openid)")
        if trade_type == "H5" and request.scene_info is None:
            raise _param_error("an H5 order needs scene_info")
        if request.amount.currency != "CNY":
            raise _param_error("amount.currency must be CNY")
        self.gateway.merchants.check_notify_url(merchant.merchant_id, request.notify_url)
        terms = trades.OrderTerms(
            request.out_trade_no,
            trade_type,
            Money(request.amount.total, "CNY"),
            request.description,
            request.notify_url,
            request.attach or "",
        )
        now = self.gateway.clock.now()
        token = "wx" + uuid.uuid4().hex + uuid.uuid4().hex[:8]
        trade_id = trades.digits_id("4200", now)
        trade = trades.open_trade(self.gateway, merchant.merchant_id, WECHATPAY, terms, trade_id, token=token)
        if trade_type == "NATIVE":
            return 200, {"code_url": self.cashier_url(trade.cashier_token)}
        if trade_type == "H5":
            return 200, {"h5_url": self.cashier_url(trade.cashier_token)}
        return 200, {"prepay_id": trade.cashier_token}

    def _query(
        self, merchant: KnownMerchant, target: str, body: bytes, by: dict[str, str]
    ) -> tuple[int, dict]:
        query = dict(parse_qsl(urlsplit(target).query, keep_blank_values=True))
        self._check_mchid(merchant, query.get("mchid"))
        trade = self.gateway.store.find_trade(merchant.merchant_id, **by)
        if trade is None:
            raise models.WeChatPayError("ORDER_NOT_EXIST", "no such order")
        return 200, models.transaction(merchant.record, trade, self._payment(trade))

    def _payment(self, trade: TradeRecord) -> PaymentRecord | None:
        return (
            self.gateway.store.find_payment(trade.merchant_id, trade.out_trade_no)
            if trade.payment_id
            else None
        )

    def _close(self, merchant: KnownMerchant, body: bytes, out_trade_no: str) -> tuple[int, None]:
        self._check_mchid(merchant, self._parse(models.CloseRequest, body).mchid)
        trades.close_trade(self.gateway, merchant.merchant_id, out_trade_no=out_trade_no)
        return 204, None

    def _refund(self, merchant: KnownMerchant, body: bytes) -> tuple[int, dict]:
        request = self._parse(models.RefundRequest, body)
        if (request.transaction_id is None) == (request.out_trade_no is None):
            raise _param_error("name the order by transaction_id or by out_trade_no, one of the two")
        trade = self.gateway.store.find_trade(
            merchant.merchant_id, trade_id=request.transaction_id, out_trade_no=request.out_trade_no
        )
        if trade is None:
            raise models.WeChatPayError("RESOURCE_NOT_EXISTS", "no such order")
        if request.amount.total != trade.amount or request.amount.currency != trade.currency:
            raise _param_error("amount.total and amount.currency must be the order's")
        if request.notify_url is not None:
            self.gateway.merchants.check_notify_url(merchant.merchant_id, request.notify_url)

        def notice(trade: TradeRecord, payment: PaymentRecord, refund: RefundRecord | None, now: float):
            if request.notify_url is None or refund is None:
                return None
            document = models.refund_document(trade, payment, refund)
            resource = models.refund_notice(merchant.record, document)
            return models.notification(merchant.record, request.notify_url, "REFUND.SUCCESS", resource, now)

        money = Money(request.amount.refund, trade.currency)
        refund, payment = settlement.refund_trade(self.gateway, trade, request.out_refund_no, money, notice)
        return 200, models.refund_document(trade, payment, refund)

    def _refund_query(self, merchant: KnownMerchant, body: bytes, out_refund_no: str) -> tuple[int, dict]:
        refund = self.gateway.store.find_refund(merchant.merchant_id, out_refund_no)
        trade = refund and self.gateway.store.find_trade(merchant.merchant_id, payment_id=refund.payment_id)
        if refund is None or trade is None:
            raise models.WeChatPayError("RESOURCE_NOT_EXISTS", "no refund with this out_refund_no")
        return 200, models.refund_document(trade, self._payment(trade), refund)

    def _certificates(self, merchant: KnownMerchant, body: bytes) -> tuple[int, dict]:
        certificate = self.platform.certificate
        sealed = wire.encrypt_resource(
            merchant.record.apiv3_key, self.platform.certificate_pem().encode("ascii"), "certificate"
        )
        entry = {
            "serial_no": self.platform.serial_no,
            "effective_time": wire.rfc3339(certificate.not_valid_before_utc.timestamp()),
            "expire_time": wire.rfc3339(certificate.not_valid_after_utc.timestamp()),
            "encrypt_certificate": sealed,
        }
        return 200, {"data": [entry]}

    # -- notifications ----------------------------------------------------------------------------------
    def paid_notice(self, trade: TradeRecord, payment: PaymentRecord, refund, now: float) -> trades.Queued:
        """The ``TRANSACTION.SUCCESS`` notification of a trade paid at the cashier."""
        merchant = self.merchants.by_id(trade.merchant_id)
        resource = models.transaction(merchant.record, trade, payment)
        return models.notification(merchant.record, trade.notify_url, "TRANSACTION.SUCCESS", resource, now)

    def status_name(self, trade: TradeRecord, payment: PaymentRecord | None) -> str:
        """The trade's state in WeChat Pay's words (``NOTPAY``, ``SUCCESS`` ...)."""
        return models.trade_state(trade, payment)
