"""What the SDK attacks (21-23) share: the real gateway with its dialects, the SDKs, genuine notifications.

:class:`SdkLab` builds the real gateway in process (fake clock, production keys from the lab's
keyring) with WeChat Pay and Alipay merchants registered, and the platforms' own SDKs configured
as those merchants would configure them. :meth:`SdkLab.wechatpay_callback` and
:meth:`SdkLab.alipay_notify` make a genuine notification the way it really happens -- an order, the
payer paying at the cashier, the gateway's notifier delivering -- and return what arrived at the
merchant's notify URL: exactly what an attacker on the path records.

The SDKs (``pip install "paycore[sdks]"``) are imported when a lab is built, not before.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from paycore import secure
from paycore.attacks.keyring import production_keys
from paycore.payment import FakeClock
from paycore.payment.clock import Clock
from paycore.payment.gateway.dialects import DialectKeys, alipay_wire, wechatpay_wire
from paycore.payment.gateway.dialects.keys import BEIJING, merchant_serial
from paycore.payment.runtime.world import GATEWAY_URL, World, build_world

START = 1_764_201_600
AMOUNT = 9_980
SHOP = "http://shop.paycore.test"
MCHID, APPID, APP_ID = "1900000109", "wxd678efh567hg6787", "2021000000000001"
APIV3_KEY = "LabAPIv3Key0123456789abcdefghijk"
WALLET = {"method": {"type": "wallet", "account": "W-alice"}}


class Mailbox:
    """The merchant's notify URL in process (raw ASGI): keeps what arrives, answers as each platform wants."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def __call__(self, scope, receive, send) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        self.received.append(({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        answer = b"success" if scope["path"].startswith("/alipay") else b""
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": answer})


def _pem(key) -> str:
    return secure.private_key_to_pem(key).decode("ascii")


def _public_pem(key) -> str:
    return secure.public_key_to_pem(key).decode("ascii")


class SdkLab:
    """The real gateway with both dialects, its two merchants, and their SDKs."""

    def __init__(self, clock: Clock | None = None, alipay_timezone=BEIJING) -> None:
        from wechatpayv3 import WeChatPay, WeChatPayType

        keys = production_keys(8)
        merchant, signing, _attacker, encryption, wechatpay, alipay, self.wechat_key, self.app_key = keys
        self.world: World = build_world(
            clock=clock or FakeClock(START),
            merchant_key=merchant,
            gateway_key=signing,
            gateway_encryption_key=encryption,
            dialect_keys=DialectKeys(wechatpay=wechatpay, alipay=alipay),
            alipay_timezone=alipay_timezone,
        )
        dialects = self.world.dialects
        self.mailbox = Mailbox()
        self.world.network.add(SHOP, self.mailbox)
        dialects.register_wechatpay_merchant(
            mchid=MCHID,
            appid=APPID,
            name="Lab shop",
            public_key=self.wechat_key.public_key(),
            apiv3_key=APIV3_KEY,
            notify_origins=[f"{SHOP}:80"],
        )
        dialects.register_alipay_merchant(
            app_id=APP_ID,
            name="Lab shop",
            public_key=self.app_key.public_key(),
            notify_origins=[f"{SHOP}:80"],
        )
        self.wechatpay_sdk = WeChatPay(
            wechatpay_type=WeChatPayType.NATIVE,
            mchid=MCHID,
            private_key=_pem(self.wechat_key),
            cert_serial_no=merchant_serial(self.wechat_key.public_key()),
            appid=APPID,
            apiv3_key=APIV3_KEY,
            notify_url=f"{SHOP}/wechatpay",
            public_key=_public_pem(wechatpay),
            public_key_id=dialects.wechatpay_platform.public_key_id,
        )
        self.alipay_platform = alipay.public_key()
        self.alipay_sdk = self.alipay_client("RSA2")

    def alipay_client(self, sign_type: str):
        """The Alipay SDK as the lab's application, signing with ``RSA2`` or (legacy) ``RSA``."""
        from alipay import AliPay

        return AliPay(
            appid=APP_ID,
            app_notify_url=f"{SHOP}/alipay",
            app_private_key_string=_pem(self.app_key),
            alipay_public_key_string=secure.public_key_to_pem(self.alipay_platform).decode("ascii"),
            sign_type=sign_type,
        )

    def __enter__(self) -> SdkLab:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.world.close()

    def _pay_and_deliver(self, cashier_url: str) -> tuple[dict[str, str], bytes]:
        paid = self.world.gateway_client().post(cashier_url.replace(GATEWAY_URL, ""), json=WALLET)
        if paid.status_code != 200:
            raise RuntimeError(f"the lab's payer could not pay: HTTP {paid.status_code}")
        self.world.notifier.deliver_due()
        return self.mailbox.received[-1]

    def wechatpay_callback(self, out_trade_no: str) -> tuple[dict[str, str], bytes]:
        """A genuine ``TRANSACTION.SUCCESS`` callback for a paid order: (headers, body) as received."""
        body = json.dumps(
            {
                "appid": APPID,
                "mchid": MCHID,
                "description": "Green tea",
                "out_trade_no": out_trade_no,
                "notify_url": f"{SHOP}/wechatpay",
                "amount": {"total": AMOUNT},
            }
        ).encode()
        target, stamp, nonce = (
            "/v3/pay/transactions/native",
            int(self.world.clock.now()),
            wechatpay_wire.new_nonce(),
        )
        signature = wechatpay_wire.sign(
            self.wechat_key, wechatpay_wire.request_message("POST", target, stamp, nonce, body)
        )
        authorization = (
            f'WECHATPAY2-SHA256-RSA2048 mchid="{MCHID}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{stamp}",serial_no="{merchant_serial(self.wechat_key.public_key())}"'
        )
        headers = {"Authorization": authorization, "Content-Type": "application/json"}
        reply = self.world.network.request("POST", GATEWAY_URL + target, headers, body)
        return self._pay_and_deliver(json.loads(reply.body)["code_url"])

    def alipay_request(self, method: str, biz: dict, **extra: str) -> dict:
        """An Alipay request signed with the application's key at the lab's clock; the parsed answer."""
        params = {
            "app_id": APP_ID,
            "method": method,
            "charset": "utf-8",
            "sign_type": "RSA2",
            "version": "1.0",
            "timestamp": alipay_wire.format_time(self.world.clock.now(), BEIJING),
            "biz_content": json.dumps(biz, separators=(",", ":")),
            **extra,
        }
        params["sign"] = alipay_wire.sign(self.app_key, alipay_wire.signing_string(params))
        reply = self.world.network.request("GET", f"{GATEWAY_URL}/gateway.do?{urlencode(params)}", {})
        return json.loads(reply.body)

    def alipay_notify(self, out_trade_no: str) -> tuple[dict[str, str], bytes]:
        """A genuine ``TRADE_SUCCESS`` notification for a paid trade: (headers, body) as received."""
        biz = {
            "out_trade_no": out_trade_no,
            "total_amount": alipay_wire.format_amount(AMOUNT),
            "subject": "Green tea",
        }
        answer = self.alipay_request("alipay.trade.precreate", biz, notify_url=f"{SHOP}/alipay")
        return self._pay_and_deliver(answer["alipay_trade_precreate_response"]["qr_code"])

    def send_to_gateway(self, query: str) -> dict:
        """A query string (as the Alipay SDK signs it) sent to the real gateway's ``/gateway.do``."""
        reply = self.world.network.request("GET", f"{GATEWAY_URL}/gateway.do?{query}", {})
        return json.loads(reply.body)
