"""schemathesis hooks: sign each generated gateway request as the demo merchant's SDK would, as sent.

Without a signature every gateway request stops at its first check (``401 MALFORMED_HEADERS``,
``401 SIGN_ERROR``, Alipay's ``isv.invalid-signature``), so the fuzzer would never reach body
validation. The hooks sign the exact bytes schemathesis will send, over the request target exactly
as it goes on the request line, with a fresh nonce and the current time -- what a merchant's SDK
does -- in each protocol's own way:

* ``paycore/1`` (``/v1/...``): the five ``Paycore-*`` headers, by the demo merchant's key;
* WeChat Pay (``/v3/...``): the ``Authorization`` header, by the demo WeChat Pay merchant's key. The
  SDK writes its merchant's ``mchid`` and ``appid`` into every body (and ``mchid`` into a query),
  so the hook does too. It is an auth provider as well, so schemathesis knows the credential is a
  real one and checks that the API refuses the request without it;
* Alipay (``/gateway.do``): ``app_id``, ``timestamp`` and ``sign`` in the query, by the demo
  application's key.

A case is left alone when the fuzzer meant its credentials to be wrong or missing (a negative
header or query case, or one that drops a required one), so those refusals are still tested.
Load it with ``SCHEMATHESIS_HOOKS=tests.fuzz.schemathesis_hooks``; it reads the keys from
``$PAYCORE_DATA_DIR`` (``merchant.private.pem``, and ``sdk/wechatpay.json`` and ``sdk/alipay.json``
with the keys they name, which ``paycore serve`` writes).
"""

from __future__ import annotations

import json
import os
import time
from functools import cache
from pathlib import Path

import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric import rsa
from schemathesis.core.parameters import ParameterLocation

from paycore import secure
from paycore.payment.gateway.dialects import alipay_wire, wechatpay_wire
from paycore.payment.gateway.dialects.alipay import REQUIRED as ALIPAY_REQUIRED
from paycore.payment.protocol import SIGNATURE_HEADERS
from paycore.payment.protocol.signing import MessageSigner

HEADER, QUERY, BODY = ParameterLocation.HEADER, ParameterLocation.QUERY, ParameterLocation.BODY


def _data() -> Path:
    return Path(os.environ["PAYCORE_DATA_DIR"])


@cache
def merchant_signer() -> MessageSigner:
    return MessageSigner(secure.load_private_key(_data() / "merchant.private.pem"))


@cache
def sdk_config(name: str) -> tuple[dict, rsa.RSAPrivateKey]:
    """A demo merchant's SDK configuration (``sdk/<name>.json``) and its private key."""
    folder = _data() / "sdk"
    config = json.loads((folder / f"{name}.json").read_text())
    key_file = config["private_key_file"] if name == "wechatpay" else config["app_private_key_file"]
    return config, secure.load_private_key(folder / key_file)


def _negative_at(case, location: ParameterLocation) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


def _wire_body(sent: dict) -> bytes | None:
    """The body bytes the transport will put on the wire, from schemathesis's serialised case."""
    if "json" in sent:
        return json.dumps(sent["json"]).encode()
    data = sent.get("data")
    if data is None:
        return None
    return data.encode() if isinstance(data, str) else bytes(data)


def _as_sent(case, kwargs) -> tuple[str, bytes]:
    """The request target as it goes on the request line, and the body bytes, pinned in ``kwargs``."""
    sent = case.as_transport_kwargs()
    body = _wire_body(sent)
    if body is not None:
        kwargs["data"] = body  # these bytes replace the generated body, so what is signed is sent
    prepared = requests.Request(case.method, sent["url"], params=sent.get("params")).prepare()
    return prepared.path_url, body or b""


# -- WeChat Pay ----------------------------------------------------------------------------------------
def wechatpay_authorization(method: str, target: str, body: bytes) -> str:
    """The ``Authorization`` header the SDK sends: signed now, with a fresh nonce."""
    config, key = sdk_config("wechatpay")
    stamp, nonce = int(time.time()), wechatpay_wire.new_nonce()
    signature = wechatpay_wire.sign(key, wechatpay_wire.request_message(method, target, stamp, nonce, body))
    return (
        f'{wechatpay_wire.SCHEME} mchid="{config["mchid"]}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{stamp}",serial_no="{config["cert_serial_no"]}"'
    )


def _signed_by_us(case) -> bool:
    config, _ = sdk_config("wechatpay")
    mark = f'{wechatpay_wire.SCHEME} mchid="{config["mchid"]}",'
    return str((case.headers or {}).get("Authorization", "")).startswith(mark)


@schemathesis.auth(refresh_interval=None).apply_to(path_regex="^/v3/")
class WeChatPayMerchant:
    """The SDK's part of a WeChat Pay request: the merchant's ids in it, and its ``Authorization``."""

    def get(self, case, context) -> dict:
        return sdk_config("wechatpay")[0]

    def set(self, case, config: dict, context) -> None:
        if isinstance(case.body, dict) and not _negative_at(case, BODY):
            for name in ("mchid", "appid"):
                if isinstance(case.body.get(name), str):
                    case.body[name] = config[name]
        if isinstance(case.query, dict) and "mchid" in case.query and not _negative_at(case, QUERY):
            case.query["mchid"] = config["mchid"]
        body = json.dumps(case.body).encode() if isinstance(case.body, dict) else b""
        case.headers = {
            **(case.headers or {}),
            "Authorization": wechatpay_authorization(case.method, case.path, body),
        }


def _sign_wechatpay(case, kwargs) -> None:
    """Signed again as sent: the target with its query, the body's exact bytes, a nonce of its own."""
    target, body = _as_sent(case, kwargs)
    case.headers = {**case.headers, "Authorization": wechatpay_authorization(case.method, target, body)}


# -- Alipay ----------------------------------------------------------------------------------------------
def _sign_alipay(case) -> None:
    """The application's id, the time now and the RSA2 signature over every other parameter."""
    config, key = sdk_config("alipay")
    query = {name: value for name, value in case.query.items() if name != "sign"}
    query.update(
        app_id=config["appid"], sign_type="RSA2", timestamp=alipay_wire.format_time(time.time(), None)
    )
    case.query = {**query, "sign": alipay_wire.sign(key, alipay_wire.signing_string(query))}


# -- every call --------------------------------------------------------------------------------------
@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    headers = case.headers or {}
    if case.path.startswith("/v3/"):
        if _signed_by_us(case):  # the auth provider signed it: the fuzzer meant the credential to work
            _sign_wechatpay(case, kwargs)
        return
    if case.path == "/gateway.do":
        query = case.query if isinstance(case.query, dict) else {}
        if all(isinstance(query.get(name), str) for name in ALIPAY_REQUIRED) and not _negative_at(
            case, QUERY
        ):
            _sign_alipay(case)
        return
    if not case.path.startswith("/v1/"):
        return  # only the gateway's paycore/1 routes take a merchant's signature
    if any(name not in headers for name in SIGNATURE_HEADERS):
        return  # the fuzzer dropped a signature header on purpose
    if _negative_at(case, HEADER):
        return  # the fuzzer made a header invalid on purpose
    target, body = _as_sent(case, kwargs)
    signed = merchant_signer().sign_request(case.method, target, body, timestamp=int(time.time()))
    case.headers = {**headers, **signed}
