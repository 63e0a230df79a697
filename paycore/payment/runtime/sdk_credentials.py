"""Credentials for the platforms' SDKs: ``paycore serve`` makes a demo merchant per dialect, ready to use.

The first start makes, in the data directory, the platforms' own key pairs (``wechatpay-platform``
and ``alipay-platform``, apart from the gateway's ``paycore/1`` keys) and the demo WeChat Pay
merchant's APIv3 key; and, in ``sdk/``, what a merchant is given: its key pair and the platform's
public key, plus a JSON file per SDK whose key paths are relative to that folder:

====================== ===============================================================================
``sdk/wechatpay.json``  ``base_url``, ``mchid``, ``appid``, ``cert_serial_no``, ``private_key_file``,
                        ``apiv3_key``, ``public_key_file``, ``public_key_id`` (mode 0600: the APIv3 key)
``sdk/alipay.json``     ``gateway_url``, ``appid``, ``app_private_key_file``, ``alipay_public_key_file``
====================== ===============================================================================

Later starts check and reuse every key; the JSON files are written again on every start, because
the gateway's port may have changed. The demo merchants are registered on every start too (which
changes nothing once they are), each accepting notifications on any ``http://127.0.0.1`` port.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment.gateway.dialects import DialectKeys, Dialects
from paycore.payment.runtime import datadir
from paycore.secure.files import SecretFileError, read_secret, write_atomically

SDK_DIR = "sdk"
WECHATPAY_MCHID = "1900000109"
WECHATPAY_APPID = "wxd678efh567hg6787"
ALIPAY_APP_ID = "2021000000000001"
APIV3_KEY_FILE = "wechatpay-apiv3.key"
_APIV3_KEY = re.compile(r"[A-Za-z0-9]{32}")


@dataclass(frozen=True)
class SdkCredentials:
    """What the demo merchants of the dialects are, and where their files are."""

    folder: Path
    keys: DialectKeys
    wechatpay_merchant_key: rsa.RSAPrivateKey
    alipay_app_key: rsa.RSAPrivateKey
    apiv3_key: str

    @property
    def wechatpay_file(self) -> Path:
        return self.folder / "wechatpay.json"

    @property
    def alipay_file(self) -> Path:
        return self.folder / "alipay.json"


def apiv3_key(data: Path) -> str:
    """The demo merchant's APIv3 key: 32 letters and digits, made once."""
    path = data / APIV3_KEY_FILE
    if path.exists() or path.is_symlink():
        advice = f"Delete {path.name} to make a new one (then give the merchant sdk/wechatpay.json again)."
        key = read_secret(path, min_bytes=32, advice=advice).decode("ascii", errors="replace").strip()
        if not _APIV3_KEY.fullmatch(key):
            raise SecretFileError(f"{path} does not hold an APIv3 key of 32 letters and digits. {advice}")
        return key
    key = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    write_atomically(path, key.encode("ascii") + b"\n", mode=datadir.FILE_MODE, exclusive=True)
    return key


def prepare(data: Path) -> SdkCredentials:
    """Make (or check) every key of the dialects and their demo merchants; see the module's table."""
    folder = data / SDK_DIR
    folder.mkdir(mode=datadir.DIRECTORY_MODE, exist_ok=True)
    wechatpay_platform, _ = datadir.party_key(data, "wechatpay-platform")
    alipay_platform, _ = datadir.party_key(data, "alipay-platform")
    merchant_key, _ = datadir.party_key(folder, "wechatpay-merchant")
    app_key, _ = datadir.party_key(folder, "alipay-app")
    secure.save_public_key(folder / "wechatpay-platform.public.pem", wechatpay_platform)
    secure.save_public_key(folder / "alipay-platform.public.pem", alipay_platform)
    keys = DialectKeys(wechatpay=wechatpay_platform, alipay=alipay_platform)
    return SdkCredentials(folder, keys, merchant_key, app_key, apiv3_key(data))


def register_demo_merchants(
    dialects: Dialects, credentials: SdkCredentials, origins: tuple[str, ...]
) -> None:
    """Register the demo WeChat Pay merchant and Alipay application (again: it changes nothing)."""
    dialects.register_wechatpay_merchant(
        mchid=WECHATPAY_MCHID,
        appid=WECHATPAY_APPID,
        name="Demo Shop (WeChat Pay)",
        public_key=credentials.wechatpay_merchant_key.public_key(),
        apiv3_key=credentials.apiv3_key,
        notify_origins=origins,
    )
    dialects.register_alipay_merchant(
        app_id=ALIPAY_APP_ID,
        name="Demo Shop (Alipay)",
        public_key=credentials.alipay_app_key.public_key(),
        notify_origins=origins,
    )


def write_sdk_files(dialects: Dialects, credentials: SdkCredentials, gateway_url: str) -> None:
    """``sdk/wechatpay.json`` and ``sdk/alipay.json`` for this start's gateway URL (mode 0600)."""
    merchant = dialects.merchants.find("wechatpay", WECHATPAY_MCHID)
    wechatpay = {
        "base_url": gateway_url,
        "mchid": WECHATPAY_MCHID,
        "appid": WECHATPAY_APPID,
        "cert_serial_no": merchant.record.key_serial,
        "private_key_file": "wechatpay-merchant.private.pem",
        "apiv3_key": credentials.apiv3_key,
        "public_key_file": "wechatpay-platform.public.pem",
        "public_key_id": dialects.wechatpay_platform.public_key_id,
    }
    alipay = {
        "gateway_url": f"{gateway_url}/gateway.do",
        "appid": ALIPAY_APP_ID,
        "app_private_key_file": "alipay-app.private.pem",
        "alipay_public_key_file": "alipay-platform.public.pem",
    }
    for path, document in ((credentials.wechatpay_file, wechatpay), (credentials.alipay_file, alipay)):
        write_atomically(path, json.dumps(document, indent=2).encode("ascii") + b"\n", mode=datadir.FILE_MODE)
