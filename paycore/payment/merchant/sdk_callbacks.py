"""What the platforms' SDKs leave to the merchant: checks to run after the SDK verified a notification.

WeChat Pay's ``callback()`` and Alipay's ``verify()`` check a notification's signature (and WeChat
Pay's opens its encrypted resource) -- and nothing else. A 30-day-old callback and the same callback
twice both pass, and neither SDK compares the amount with the merchant's order. A merchant that
trusts the SDK alone ships twice for one payment, or re-opens a refunded order, whenever someone
sends it a recorded notification again. The guards here add what ``paycore/1``'s merchant does for
its own notifications:

* a **window**: the notification's own time (``Wechatpay-Timestamp``, Alipay's ``notify_time``) must
  be within 300 s of the merchant's clock, either side (both are covered by the signature);
* **deduplication** by the platform's event id (WeChat Pay's ``id``, Alipay's ``notify_id``): a
  second delivery is acknowledged but changes nothing -- the platforms retry genuinely for about a
  day, so ids are remembered for two;
* an **amount re-check** against the merchant's own order, and a check that the notification is
  for this merchant (``mchid``, ``app_id``).

The guards take the SDK object as it is (they import neither SDK) and a
:class:`~paycore.payment.protocol.replay.NonceStore` for the ids seen; :class:`MemoryIds` keeps them
in memory, a merchant's database should keep them for real.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from paycore.payment.clock import Clock
from paycore.payment.protocol import replay

REMEMBER_IDS = 2 * 24 * 3600
"""How long an event id is remembered: longer than either platform retries a notification."""
BEIJING = timezone(timedelta(hours=8), "CST")
Expected = Callable[[str], "tuple[int, str] | None"]
"""The merchant's own order: ``out_trade_no -> (amount in minor units, currency)``, or ``None``."""


class CallbackRefused(Exception):
    """A notification the merchant must not act on; ``reason`` says which check it failed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Accepted:
    """A notification that passed every check; ``duplicate`` means acknowledge it, change nothing."""

    event_id: str
    out_trade_no: str
    amount: int
    status: str
    duplicate: bool
    data: dict


class MemoryIds:
    """A :class:`~paycore.payment.protocol.replay.NonceStore` in memory (one process, lost on restart)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def remember_nonce(self, key_id: str, nonce: str, expires_at: float, now: float) -> bool:
        with self._lock:
            self._seen = {key: until for key, until in self._seen.items() if until >= now}
            if (key_id, nonce) in self._seen:
                return False
            self._seen[(key_id, nonce)] = expires_at
            return True


class _Guard:
    def __init__(self, expected: Expected, clock: Clock, seen: replay.NonceStore, window: int) -> None:
        self.expected, self.clock, self.seen, self.window = expected, clock, seen, window

    def _fresh(self, sent_at: float) -> None:
        skew = self.clock.now() - sent_at
        if abs(skew) > self.window:
            raise CallbackRefused(
                "window", f"the notification is {skew:+.0f} s off; the window is {self.window} s"
            )

    def _amount(self, out_trade_no: str, amount: int, currency: str) -> None:
        order = self.expected(out_trade_no)
        if order is None:
            raise CallbackRefused("unknown-order", "no order has this out_trade_no")
        if order != (amount, currency):
            raise CallbackRefused(
                "amount", f"the notification says {amount} {currency}, the order {order[0]} {order[1]}"
            )

    def _accept(self, scope: str, event_id: str, out_trade_no: str, amount: int, status: str, data: dict):
        now = self.clock.now()
        new = self.seen.remember_nonce(scope, event_id, now + REMEMBER_IDS, now)
        return Accepted(event_id, out_trade_no, amount, status, not new, data)


class WeChatPayCallbackGuard(_Guard):
    """The checks after ``WeChatPay.callback(headers, body)``: window, dedup by ``id``, amount, ``mchid``."""

    def __init__(
        self,
        sdk,
        mchid: str,
        expected: Expected,
        clock: Clock,
        seen: replay.NonceStore,
        *,
        window: int = replay.WINDOW_SECONDS,
    ) -> None:
        super().__init__(expected, clock, seen, window)
        self.sdk, self.mchid = sdk, mchid

    def receive(self, headers: Mapping[str, str], body: bytes) -> Accepted:
        """Verify with the SDK, then check; :class:`CallbackRefused` unless the merchant may act (or ack)."""
        notification = self.sdk.callback(dict(headers), body)
        if not notification:
            raise CallbackRefused("signature", "the SDK could not verify or decrypt the notification")
        stamp = {name.lower(): value for name, value in headers.items()}.get("wechatpay-timestamp", "")
        if not stamp.isdigit():
            raise CallbackRefused("window", "Wechatpay-Timestamp is missing")
        self._fresh(int(stamp))
        resource = notification.get("resource") or {}
        if resource.get("mchid") != self.mchid:
            raise CallbackRefused("merchant", "the notification is for another merchant")
        amount = resource.get("amount") or {}
        total, currency = amount.get("total"), amount.get("currency", "CNY")
        if not isinstance(total, int):
            raise CallbackRefused("amount", "the notification names no amount")
        self._amount(resource.get("out_trade_no", ""), total, currency)
        status = resource.get("trade_state") or resource.get("refund_status") or ""
        return self._accept(
            "wechatpay", str(notification.get("id")), resource["out_trade_no"], total, status, resource
        )


class AlipayNotifyGuard(_Guard):
    """The checks after ``AliPay.verify(data, sign)``: window, dedup by ``notify_id``, amount, ``app_id``.

    ``zone`` is the time zone ``notify_time`` is written in (Beijing time on the real platform).
    """

    def __init__(
        self,
        sdk,
        app_id: str,
        expected: Expected,
        clock: Clock,
        seen: replay.NonceStore,
        *,
        window: int = replay.WINDOW_SECONDS,
        zone: tzinfo | None = BEIJING,
    ) -> None:
        super().__init__(expected, clock, seen, window)
        self.sdk, self.app_id, self.zone = sdk, app_id, zone

    def receive(self, body: bytes) -> Accepted:
        """Verify the form with the SDK, then check; :class:`CallbackRefused` unless the merchant may act."""
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError):
            raise CallbackRefused("signature", "the notification is not a form") from None
        signature = fields.pop("sign", "")
        try:
            verified = self.sdk.verify(dict(fields), signature)
        except Exception:  # the SDK raises for a sign_type it was not configured with
            verified = False
        if not verified:
            raise CallbackRefused("signature", "the SDK could not verify the notification")
        try:
            moment = datetime.strptime(fields.get("notify_time", ""), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise CallbackRefused("window", "notify_time is missing or malformed") from None
        self._fresh((moment.replace(tzinfo=self.zone) if self.zone else moment.astimezone()).timestamp())
        if fields.get("app_id") != self.app_id:
            raise CallbackRefused("merchant", "the notification is for another application")
        try:
            amount = int(Decimal(fields.get("total_amount", "")) * 100)
        except InvalidOperation:
            raise CallbackRefused("amount", "the notification names no amount") from None
        self._amount(fields.get("out_trade_no", ""), amount, "CNY")
        return self._accept(
            "alipay",
            fields.get("notify_id", ""),
            fields["out_trade_no"],
            amount,
            fields.get("trade_status", ""),
            fields,
        )
