"""The merchants of the platform dialects: registered out of band, looked up by the id a request carries.

A WeChat Pay merchant is its ``mchid`` and ``appid``, the serial number and public key of its API
certificate, its APIv3 key (32 characters, shared with the platform, which encrypts what it sends the
merchant under it) and how it knows the platform's key (``public_key`` or ``certificate`` mode). An
Alipay merchant is its ``app_id`` and the public half of its application key. Each also registers the
origins its notifications may go to, exactly as a ``paycore/1`` merchant does.

Inside the gateway a dialect merchant is ``wechatpay:<mchid>`` or ``alipay:<app_id>``: its ledger
account, payments, refunds and notify origins live under that id, beside the ``paycore/1`` merchants
and never mixed up with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment.gateway.dialects.keys import merchant_serial
from paycore.payment.gateway.merchants import MerchantRegistry, check_origin_pattern
from paycore.payment.gateway.store import DialectMerchantRecord, GatewayStore
from paycore.secure.keys import require_key_size

WECHATPAY = "wechatpay"
ALIPAY = "alipay"
_MCHID = re.compile(r"[0-9]{6,32}")
_APPID = re.compile(r"[A-Za-z0-9_]{1,32}")
_ALIPAY_APP_ID = re.compile(r"[0-9]{16}")
_APIV3_KEY = re.compile(r"[A-Za-z0-9]{32}")
MODES = ("public_key", "certificate")


def internal_id(dialect: str, external_id: str) -> str:
    """The gateway's own id for a dialect merchant.

    >>> internal_id("wechatpay", "1900000109")
    'wechatpay:1900000109'
    """
    return f"{dialect}:{external_id}"


@dataclass(frozen=True)
class KnownMerchant:
    """A registered dialect merchant with its public key loaded."""

    record: DialectMerchantRecord
    public_key: rsa.RSAPublicKey

    @property
    def merchant_id(self) -> str:
        return self.record.merchant_id


class DialectMerchants:
    """Registers dialect merchants and finds them by ``(dialect, external id)``, keys parsed once."""

    def __init__(self, store: GatewayStore, registry: MerchantRegistry) -> None:
        self.store = store
        self.registry = registry
        self._known: dict[tuple[str, str], KnownMerchant] = {}

    def _save(self, record: DialectMerchantRecord, origins: tuple[str, ...] | list[str]) -> KnownMerchant:
        normal = tuple(check_origin_pattern(origin) for origin in origins)
        if not normal:
            raise ValueError("register at least one notify origin: where the merchant receives notifications")

        def work(unit) -> None:
            unit.save_dialect_merchant(record)
            unit.save_notify_origins(record.merchant_id, normal)

        self.store.run(work)
        self.registry.forget(record.merchant_id)
        self._known.pop((record.dialect, record.external_id), None)
        return self.find(record.dialect, record.external_id)

    def register_wechatpay(
        self,
        *,
        mchid: str,
        appid: str,
        name: str,
        public_key: rsa.RSAPublicKey,
        apiv3_key: str,
        notify_origins: tuple[str, ...] | list[str],
        platform_key_mode: str = "public_key",
    ) -> KnownMerchant:
        """Register a WeChat Pay merchant; its certificate serial is derived from ``public_key``."""
        if not _MCHID.fullmatch(mchid) or not _APPID.fullmatch(appid):
            raise ValueError("a WeChat Pay mchid is digits and an appid letters, digits or _ (up to 32)")
        if not _APIV3_KEY.fullmatch(apiv3_key):
            raise ValueError("an APIv3 key is exactly 32 letters and digits")
        if platform_key_mode not in MODES:
            raise ValueError(f"platform_key_mode is one of {', '.join(MODES)}")
        require_key_size(public_key)
        record = DialectMerchantRecord(
            merchant_id=internal_id(WECHATPAY, mchid),
            dialect=WECHATPAY,
            external_id=mchid,
            appid=appid,
            name=name,
            key_serial=merchant_serial(public_key),
            public_key_pem=secure.public_key_to_pem(public_key),
            apiv3_key=apiv3_key,
            platform_key_mode=platform_key_mode,
        )
        return self._save(record, notify_origins)

    def register_alipay(
        self,
        *,
        app_id: str,
        name: str,
        public_key: rsa.RSAPublicKey,
        notify_origins: tuple[str, ...] | list[str],
    ) -> KnownMerchant:
        """Register an Alipay application by its 16-digit ``app_id`` and its public key (RSA2 only)."""
        if not _ALIPAY_APP_ID.fullmatch(app_id):
            raise ValueError("an Alipay app_id is 16 digits")
        require_key_size(public_key)
        record = DialectMerchantRecord(
            merchant_id=internal_id(ALIPAY, app_id),
            dialect=ALIPAY,
            external_id=app_id,
            appid=app_id,
            name=name,
            key_serial="",
            public_key_pem=secure.public_key_to_pem(public_key),
            apiv3_key="",
            platform_key_mode="public_key",
        )
        return self._save(record, notify_origins)

    def find(self, dialect: str, external_id: str) -> KnownMerchant | None:
        """The merchant whose requests carry ``external_id``, or ``None``."""
        known = self._known.get((dialect, external_id))
        if known is None:
            record = self.store.dialect_merchant(dialect, external_id)
            if record is None:
                return None
            known = KnownMerchant(record, secure.load_public_key_pem(record.public_key_pem))
            self._known[(dialect, external_id)] = known
        return known

    def by_id(self, merchant_id: str) -> KnownMerchant | None:
        """The merchant with the gateway's own id ``wechatpay:<mchid>`` or ``alipay:<app_id>``."""
        dialect, _, external_id = merchant_id.partition(":")
        return self.find(dialect, external_id) if external_id else None
