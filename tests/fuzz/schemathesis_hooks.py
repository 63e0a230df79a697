"""schemathesis hooks: sign each generated gateway request with the demo merchant's key, as sent.

Without a signature every gateway request stops at ``401 MALFORMED_HEADERS``, so the fuzzer would
never reach body validation. The hook signs the exact bytes schemathesis will send, over the
request target exactly as it goes on the request line, with a fresh nonce and the current time
-- what a merchant's SDK does. It leaves a case alone when the fuzzer meant its signature headers
to be wrong or missing (a negative header case, or one that drops a required header), so those
refusals are still tested. Load it with ``SCHEMATHESIS_HOOKS=tests.fuzz.schemathesis_hooks``; it
reads the merchant's key from ``$PAYCORE_DATA_DIR/merchant.private.pem``.
"""

from __future__ import annotations

import json
import os
import time
from functools import cache
from pathlib import Path

import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation

from paycore import secure
from paycore.payment.protocol import SIGNATURE_HEADERS
from paycore.payment.protocol.signing import MessageSigner


@cache
def merchant_signer() -> MessageSigner:
    data = Path(os.environ["PAYCORE_DATA_DIR"])
    return MessageSigner(secure.load_private_key(data / "merchant.private.pem"))


def _wire_body(sent: dict) -> bytes | None:
    """The body bytes the transport will put on the wire, from schemathesis's serialised case."""
    if "json" in sent:
        return json.dumps(sent["json"]).encode()
    data = sent.get("data")
    if data is None:
        return None
    return data.encode() if isinstance(data, str) else bytes(data)


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    if not case.path.startswith("/v1/"):
        return  # only the gateway's paycore/1 routes take a merchant's signature
    headers = case.headers or {}
    if any(name not in headers for name in SIGNATURE_HEADERS):
        return  # the fuzzer dropped a signature header on purpose
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER):
        return  # the fuzzer made a header invalid on purpose
    sent = case.as_transport_kwargs()
    body = _wire_body(sent)
    if body is not None:
        kwargs["data"] = body  # these bytes replace the generated body, so what is signed is sent
    prepared = requests.Request(case.method, sent["url"], params=sent.get("params")).prepare()
    signed = merchant_signer().sign_request(
        case.method, prepared.path_url, body or b"", timestamp=int(time.time())
    )
    case.headers = {**headers, **signed}
