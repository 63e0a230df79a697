"""How the one outbox sends each platform's notifications: signed afresh per attempt, on its own schedule.

The dialects queue their notifications in the gateway's persistent outbox, in the same unit of work
as the payment or refund they announce, exactly as ``paycore/1`` does; the
:class:`~paycore.payment.gateway.outbox.Notifier` asks the message's format how to send each
attempt:

* :class:`WeChatPayNotifications` -- the stored JSON body (its ``resource`` already encrypted under
  the merchant's APIv3 key), with ``Wechatpay-*`` headers signed over ``TIMESTAMP\\nNONCE\\nBODY\\n``;
  any 2xx is an acknowledgement; retried after 15 s, 15 s, 30 s, 3 min, 10 min ... (about 24 h);
* :class:`AlipayNotifications` -- a form POST of the stored fields plus ``notify_time``,
  ``sign_type`` and ``sign`` (over every other field, empty ones included); only the body
  ``success`` is an acknowledgement; retried after 4 min, 10 min, 10 min, 1 h, 2 h, 6 h, 15 h.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from paycore.payment.gateway.dialects import alipay_wire, wechatpay_wire
from paycore.payment.gateway.dialects.keys import WeChatPayPlatform
from paycore.payment.gateway.dialects.merchants import DialectMerchants
from paycore.payment.gateway.outbox import RETRY_SCHEDULE, OutboxMessage
from paycore.payment.protocol.wire import Reply

ALIPAY_SCHEDULE: tuple[int, ...] = (240, 600, 600, 3600, 7200, 21600, 54000)
"""Alipay's published intervals: eight notifications within about 25 hours."""


class WeChatPayNotifications:
    """The ``wechatpay`` format: JSON body, signed ``Wechatpay-*`` headers."""

    schedule = RETRY_SCHEDULE

    def __init__(self, platform: WeChatPayPlatform, merchants: DialectMerchants) -> None:
        self.platform = platform
        self.merchants = merchants

    def prepare(self, message: OutboxMessage, now: int) -> tuple[dict[str, str], bytes]:
        """The stored body, signed now under the serial the merchant knows the platform key by."""
        merchant = self.merchants.by_id(message.merchant_id)
        mode = merchant.record.platform_key_mode if merchant is not None else "certificate"
        headers = wechatpay_wire.signed_headers(
            self.platform.private_key, self.platform.serial_for(mode), message.body, now
        )
        return {"Content-Type": "application/json", **headers}, message.body

    @staticmethod
    def accepted(reply: Reply) -> bool:
        """WeChat Pay counts any 2xx (200 or 204, no body needed) as received."""
        return 200 <= reply.status < 300


class AlipayNotifications:
    """The ``alipay`` format: ``application/x-www-form-urlencoded``, signed over every field."""

    schedule = ALIPAY_SCHEDULE

    def __init__(self, private_key, timezone=alipay_wire.BEIJING) -> None:
        self.private_key = private_key
        self.timezone = timezone

    def prepare(self, message: OutboxMessage, now: int) -> tuple[dict[str, str], bytes]:
        """The stored fields with this attempt's ``notify_time``, then ``sign_type`` and ``sign``."""
        fields = json.loads(message.body)
        fields["notify_time"] = alipay_wire.format_time(now, self.timezone)
        signed = alipay_wire.sign_notification(self.private_key, fields)
        return {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, urlencode(signed).encode(
            "ascii"
        )

    @staticmethod
    def accepted(reply: Reply) -> bool:
        """Alipay counts only the seven characters ``success`` as received; anything else is retried."""
        return reply.status == 200 and reply.body.strip() == b"success"
