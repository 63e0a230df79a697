"""Platform dialects: the gateway speaks WeChat Pay API v3 and Alipay's open API beside ``paycore/1``.

Real merchants talk to real payment platforms through the platforms' SDKs. The dialects let those
SDKs, unmodified, talk to paycore's gateway: each one translates its wire format -- its signed
strings, headers, error codes and notifications -- into the gateway's one service, with the same
ledger, payments, refunds, outbox and notifier as ``paycore/1``, idempotency by the merchant's
order number, and every check its protocol allows. What they share:

* :mod:`.trades` -- the platforms create a trade first and the payer pays later, at the
  :mod:`.cashier`; :mod:`.merchants` -- the dialects' merchants; :mod:`.keys` -- each dialect's own
  key pair and ids; :mod:`.notify` -- each platform's notifications from the one outbox;
* :mod:`.wechatpay` (with :mod:`.wechatpay_wire` and :mod:`.wechatpay_models`) and :mod:`.alipay`
  (with :mod:`.alipay_wire` and :mod:`.alipay_methods`); :mod:`.routes` -- their FastAPI routes.

:class:`Dialects` builds them all for one :class:`~paycore.payment.gateway.service.Gateway`.
``docs/DIALECTS.md`` maps every endpoint and says what is simulated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore.payment.gateway.dialects.alipay import AlipayDialect
from paycore.payment.gateway.dialects.cashier import Cashier
from paycore.payment.gateway.dialects.keys import WeChatPayPlatform, check_separate
from paycore.payment.gateway.dialects.merchants import ALIPAY, WECHATPAY, DialectMerchants, KnownMerchant
from paycore.payment.gateway.dialects.notify import AlipayNotifications, WeChatPayNotifications
from paycore.payment.gateway.dialects.wechatpay import WeChatPayDialect
from paycore.payment.protocol import replay

if TYPE_CHECKING:
    from paycore.payment.gateway.outbox import NotificationFormat
    from paycore.payment.gateway.service import Gateway

__all__ = ["ALIPAY", "WECHATPAY", "DialectKeys", "Dialects", "KnownMerchant"]


@dataclass(frozen=True)
class DialectKeys:
    """The platforms' own signing keys: one key pair per dialect, none of the gateway's ``paycore/1`` keys."""

    wechatpay: rsa.RSAPrivateKey = field(repr=False)
    alipay: rsa.RSAPrivateKey = field(repr=False)


class Dialects:
    """WeChat Pay v3, Alipay and their cashier around one gateway.

    ``public_url`` is the gateway's base URL as merchants and payers reach it (``scheme://host:port``):
    cashier URLs are built on it, never on a request's ``Host``. ``alipay_timezone`` is the zone
    Alipay's timestamps are read and written in: ``None`` is this machine's local time, which is
    what the SDK writes (the real platform uses Beijing time).
    """

    def __init__(
        self,
        gateway: Gateway,
        keys: DialectKeys,
        public_url: str,
        *,
        alipay_timezone: tzinfo | None = None,
        window: int = replay.WINDOW_SECONDS,
    ) -> None:
        check_separate(gateway.signer.private_key, gateway.encryption_key, keys.wechatpay, keys.alipay)
        self.gateway = gateway
        self.merchants = DialectMerchants(gateway.store, gateway.merchants)
        self.wechatpay_platform = WeChatPayPlatform(keys.wechatpay, gateway.clock)
        self.alipay_key = keys.alipay
        self.wechatpay = WeChatPayDialect(
            gateway, self.merchants, self.wechatpay_platform, self._cashier_url, window
        )
        self.alipay = AlipayDialect(
            gateway, self.merchants, keys.alipay, self._cashier_url, timezone=alipay_timezone, window=window
        )
        self.cashier = Cashier(gateway, {WECHATPAY: self.wechatpay, ALIPAY: self.alipay}, public_url)

    def _cashier_url(self, token: str) -> str:
        return self.cashier.url(token)

    def notification_formats(self) -> dict[str, NotificationFormat]:
        """The dialects' notification formats, for the gateway's :class:`~.outbox.Notifier`."""
        return {
            WECHATPAY: WeChatPayNotifications(self.wechatpay_platform, self.merchants),
            ALIPAY: AlipayNotifications(self.alipay_key, self.alipay.timezone),
        }

    def routers(self) -> list:
        """The FastAPI routers of WeChat Pay, Alipay and the cashier (loads the web stack)."""
        from paycore.payment.gateway.dialects.routes import routers

        return routers(self)

    def security_schemes(self) -> dict[str, dict]:
        """The OpenAPI security schemes the routers' operations name: WeChat Pay's ``Authorization``."""
        from paycore.payment.gateway.dialects.wechatpay_openapi import SECURITY, SECURITY_SCHEME

        return {SECURITY: SECURITY_SCHEME}

    def register_wechatpay_merchant(self, **registration) -> KnownMerchant:
        """See :meth:`.merchants.DialectMerchants.register_wechatpay`."""
        return self.merchants.register_wechatpay(**registration)

    def register_alipay_merchant(self, **registration) -> KnownMerchant:
        """See :meth:`.merchants.DialectMerchants.register_alipay`."""
        return self.merchants.register_alipay(**registration)
