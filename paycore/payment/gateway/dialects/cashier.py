"""The gateway's cashier: where the payer of a WeChat Pay or Alipay trade pays, as on the platform's page.

WeChat Pay's ``code_url`` (and the ``prepay_id`` of a JSAPI order) and Alipay's ``qr_code`` lead
here: ``GET /cashier/<token>`` shows the order and a form for a test card or wallet, and a ``POST``
of JSON ``{"method": {...}}`` to the same URL pays it -- the method object exactly as the merchant
API's pay takes it, and nothing else (the amount is the order's). The answer is JSON with the
trade's status in its platform's words. A declined payer changes nothing and may try again.

The token in the URL is 128 bits or more from the OS's CSPRNG: whoever holds the URL may pay the
order, as whoever holds the QR code may on the real platforms. A wallet's owner can also get a
one-time *payment code* here (``POST /cashier/payment-code``), which a merchant scans for Alipay's
barcode payment (``alipay.trade.pay``); only its hash is stored, and it pays once, within 120 s.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from paycore.payment.errors import PaymentError
from paycore.payment.gateway.dialects import settlement, trades
from paycore.payment.gateway.store import PaymentRecord, TradeRecord
from paycore.payment.methods import PaymentMethod, Wallet, method_from_json
from paycore.payment.money import Money
from paycore.payment.protocol.schemas import check_json_text
from paycore.payment.protocol.wire import Headers, Reply, encode_json

if TYPE_CHECKING:
    from paycore.payment.gateway.service import Gateway

CODE_SECONDS = 120
"""How long a payment code stays usable."""
CASHIER_PATH = "/cashier"
CODES: dict[str, tuple[int, str]] = {
    "PAYMENT_DECLINED": (402, "the payer was declined (`failure_code` says why): nothing changed, try again"),
    "TRADE_NOT_FOUND": (404, "no order is waiting at this cashier URL"),
    "WALLET_NOT_FOUND": (404, "no wallet has this account"),
    "TRADE_PAID": (409, "the order is paid already (`status` in its platform's words)"),
    "TRADE_CLOSED": (409, "the order is closed (`status` in its platform's words)"),
}
"""The cashier's own refusals, in ``paycore/1``'s error shape: each code's HTTP status and when.
The rest are ``paycore/1``'s codes (``INVALID_REQUEST``, ``MALFORMED_JSON`` ...)."""


class Dialect(Protocol):
    """What the cashier needs of a dialect: its notice of a paid trade, and its name for a status."""

    name: str

    def paid_notice(
        self, trade: TradeRecord, payment: PaymentRecord, refund, now: float
    ) -> trades.Queued | None: ...

    def status_name(self, trade: TradeRecord, payment: PaymentRecord | None) -> str: ...


@dataclass(frozen=True)
class CashierView:
    """What the cashier page shows of a trade."""

    trade: TradeRecord
    merchant_name: str
    status: str
    amount: Money


def code_hash(code: str) -> str:
    """What is stored of a payment code: its SHA-256 (codes are short-lived and random)."""
    return hashlib.sha256(code.encode("ascii", errors="replace")).hexdigest()


def _json(http_status: int, document: dict) -> Reply:
    return Reply(http_status, Headers({"Content-Type": "application/json"}), encode_json(document))


def _error(http_status: int, code: str, message: str, **extra: object) -> Reply:
    return _json(http_status, {"error": {"code": code, "message": message}, **extra})


def _refuse(code: str, message: str, **extra: object) -> Reply:
    """A refusal with one of the cashier's :data:`CODES`, at its status."""
    return _error(CODES[code][0], code, message, **extra)


class Cashier:
    """The payer's side of the dialects' trades."""

    def __init__(self, gateway: Gateway, dialects: Mapping[str, Dialect], public_url: str) -> None:
        self.gateway = gateway
        self.dialects = dict(dialects)
        self.public_url = public_url.rstrip("/")

    def url(self, token: str) -> str:
        """The absolute cashier URL of a trade (what the QR code holds)."""
        return f"{self.public_url}{CASHIER_PATH}/{token}"

    def _notice(self, trade: TradeRecord, payment: PaymentRecord, refund, now: float):
        return self.dialects[trade.dialect].paid_notice(trade, payment, refund, now)

    def _status(self, trade: TradeRecord) -> str:
        payment = (
            self.gateway.store.find_payment(trade.merchant_id, trade.out_trade_no)
            if trade.payment_id
            else None
        )
        return self.dialects[trade.dialect].status_name(trade, payment)

    def open(self, token: str) -> CashierView | None:
        """The payer opened the cashier (scanned the code): the trade to show, or ``None``."""
        trade = trades.mark_scanned(self.gateway, token)
        if trade is None or trade.dialect not in self.dialects:
            return None
        known = self.gateway.store.dialect_merchant(*trade.merchant_id.split(":", 1))
        name = known.name if known else trade.merchant_id
        return CashierView(trade, name, self._status(trade), Money(trade.amount, trade.currency))

    @staticmethod
    def _method(body: bytes) -> PaymentMethod:
        check_json_text(body)
        document = json.loads(body)
        if not isinstance(document, dict) or set(document) != {"method"}:
            raise ValueError('send exactly {"method": {...}}: the payment method and nothing else')
        return method_from_json(document["method"])

    def pay(self, token: str, body: bytes) -> Reply:
        """``POST /cashier/<token>``: pay the trade with the method in the body."""
        try:
            method = self._method(body)
        except PaymentError as error:
            return _error(400, error.code.value, error.message)
        except (ValueError, TypeError) as exc:
            return _error(422, "INVALID_REQUEST", f"invalid payment method: {exc}")
        try:
            charged = settlement.pay_trade(self.gateway, token, method, self._notice)
        except trades.TradeRefusal as refusal:
            if refusal.reason == "TRADE_NOT_FOUND":
                return _refuse("TRADE_NOT_FOUND", "no order is waiting at this cashier URL")
            trade = self.gateway.store.trade_by_token(token)
            return _refuse(refusal.reason, refusal.message, status=self._status(trade))
        except PaymentError as error:  # the database cannot be written: nothing was changed
            return _error(error.status, error.code.value, error.message)
        trade = charged.trade
        answer = {
            "out_trade_no": trade.out_trade_no,
            "status": self._status(trade),
            "amount": Money(trade.amount, trade.currency).to_json(),
        }
        if charged.failure is not None:
            message = f"the payment was declined: {charged.failure}"
            return _refuse("PAYMENT_DECLINED", message, failure_code=charged.failure, **answer)
        return _json(
            200,
            {
                **answer,
                "payer": {"type": charged.payment.payer_type, "display": charged.payment.payer_display},
            },
        )

    def issue_payment_code(self, body: bytes) -> Reply:
        """``POST /cashier/payment-code``: a one-time code for a wallet, as the payer's app shows it."""
        try:
            method = self._method(body)
        except PaymentError as error:
            return _error(400, error.code.value, error.message)
        except (ValueError, TypeError) as exc:
            return _error(422, "INVALID_REQUEST", f"invalid payment method: {exc}")
        if not isinstance(method, Wallet):
            return _error(422, "INVALID_REQUEST", "payment codes are for wallets; a card pays at the cashier")
        code = "28" + "".join(secrets.choice("0123456789") for _ in range(16))
        now = self.gateway.clock.now()

        def work(unit) -> bool:
            if unit.payer_method(method.account) is None:
                return False
            unit.add_payment_code(code_hash(code), method.account, now + CODE_SECONDS)
            return True

        try:
            known = self.gateway.store.run(work, durable=False)
        except PaymentError as error:
            return _error(error.status, error.code.value, error.message)
        if not known:
            return _refuse("WALLET_NOT_FOUND", "no wallet has this account")
        return _json(200, {"auth_code": code, "expires_in": CODE_SECONDS})
