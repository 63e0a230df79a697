"""``paycore capture OUT.pcap``: a Wireshark capture of one demo payment, made without capture rights.

The payment is the demo's, run in this process through the parties' real FastAPI apps: the user's
order (3.1) and payment (3.2), the merchant's signed and sealed request to the gateway and its
signed answer (3.3-3.5), and the signed notification with its acknowledgement (3.5-3.6). Every
body and signature header is the bytes the parties produced; the HTTP/1.1 framing and the TCP
segments around them are built with scapy on 127.0.0.1 -- the user on port 50101-50102, the
merchant on 8001 and the gateway on 8002, as ``paycore serve`` listens -- so a student with no
right to capture still has a real file to open in Wireshark or read with ``tshark -r``.

**Deterministic, except what must not be.** The clock is a ``FakeClock``; the two keys, the ids,
nonces, idempotency keys and the envelope's AES key and IV come from :class:`PublicCaptureRandom`,
a seeded generator that is *not* secret and is installed only while the capture is made. Two runs
then differ in exactly four values -- the envelope's wrapped key ``ek`` and the three
``Paycore-Signature`` headers -- and the TCP checksums of the four segments that carry them:
RSA-OAEP's seed and RSA-PSS's salt are drawn inside OpenSSL, which takes no seed, and that fresh
randomness is what makes them safe. ``docs/paycore-payment.pcap`` is one such run.

``--live`` instead runs ``paycore serve``'s servers on loopback and records the real traffic with
``tcpdump`` (which needs root or ``CAP_NET_RAW``); its keys and ids are fresh, as in production.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path

MERCHANT_PORT, GATEWAY_PORT = 8001, 8002
USER_PORTS, MERCHANT_CLIENT_PORT, NOTIFIER_PORT = (50101, 50102), 50201, 50301
CAPTURE_TIME = 1_764_201_600  # 2025-11-27 00:00:00 UTC, the time of docs/PROTOCOL.md's example
PUBLIC_CAPTURE_SEED = "paycore capture: a published seed, for a reproducible demo file only"
CARD_NUMBER = "4111111111111111"
ORDER = {
    "items": [{"sku": "TEA-1", "name": "Longjing green tea", "quantity": 2, "unit_price": 4990}],
    "currency": "CNY",
}
CARD = {"type": "card", "number": CARD_NUMBER, "expiry": "12/30", "cvv": "123"}


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("out", metavar="OUT.pcap", help="the capture file to write")
    parser.add_argument(
        "--live",
        action="store_true",
        help="run the real servers on loopback and capture them with tcpdump (needs root or CAP_NET_RAW)",
    )
    parser.add_argument("--merchant-port", type=int, default=MERCHANT_PORT, help="with --live (default 8001)")
    parser.add_argument("--gateway-port", type=int, default=GATEWAY_PORT, help="with --live (default 8002)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT.pcap if it exists")


class PublicCaptureRandom:
    """A seeded, *public* stand-in for the OS's randomness, used only while a capture is made.

    NOT a CSPRNG and not secret: anyone can recompute every value it gives. It exists so that the
    demo capture is the same file each time; nothing else in paycore may use it.
    """

    def __init__(self, seed: str = PUBLIC_CAPTURE_SEED) -> None:
        self._random = random.Random(seed)

    def token_bytes(self, nbytes: int | None = None) -> bytes:
        return self._random.randbytes(32 if nbytes is None else nbytes)

    def token_hex(self, nbytes: int | None = None) -> str:
        return self.token_bytes(nbytes).hex()

    def token_urlsafe(self, nbytes: int | None = None) -> str:
        import base64

        return base64.urlsafe_b64encode(self.token_bytes(nbytes)).rstrip(b"=").decode("ascii")

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(bytes=self.token_bytes(16), version=4)


@contextlib.contextmanager
def public_randomness(source: PublicCaptureRandom) -> Iterator[None]:
    """Route ``secrets``, ``uuid.uuid4`` and ``os.urandom`` through ``source`` for the block, then restore."""
    saved = [
        (secrets, "token_bytes"),
        (secrets, "token_hex"),
        (secrets, "token_urlsafe"),
        (uuid, "uuid4"),
        (os, "urandom"),
    ]
    originals = [getattr(module, name) for module, name in saved]
    replacements = [
        source.token_bytes,
        source.token_hex,
        source.token_urlsafe,
        source.uuid4,
        source.token_bytes,
    ]
    try:
        for (module, name), replacement in zip(saved, replacements, strict=True):
            setattr(module, name, replacement)
        yield
    finally:
        for (module, name), original in zip(saved, originals, strict=True):
            setattr(module, name, original)


@functools.cache
def capture_keys():
    """The merchant's key and the gateway's two (signing, encryption), RSA-2048, from the public seed."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from paycore.textbook import generate_private_key, teaching_rng

    keys = []
    for party in ("merchant", "gateway", "gateway-encryption"):
        key = generate_private_key(2048, rng=teaching_rng(f"{PUBLIC_CAPTURE_SEED}: {party}"))
        public = rsa.RSAPublicNumbers(key.e, key.p * key.q)
        numbers = rsa.RSAPrivateNumbers(
            key.p,
            key.q,
            key.d,
            rsa.rsa_crt_dmp1(key.d, key.p),
            rsa.rsa_crt_dmq1(key.d, key.q),
            rsa.rsa_crt_iqmp(key.p, key.q),
            public,
        )
        keys.append(numbers.private_key())
    return tuple(keys)


def http_request(method: str, target: str, port: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    """An HTTP/1.1 request as it goes on the wire: request line, Host, the headers, Content-Length, body."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {_host(port)}"]
    lines += [f"{name}: {value}" for name, value in headers if name.lower() not in ("host", "content-length")]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def http_response(status: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    """An HTTP/1.1 response: status line (with its reason phrase), the headers as sent, the body."""
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _host(port: int) -> str:
    return f"127.0.0.1:{port}"


@dataclass(frozen=True)
class Message:
    """One HTTP exchange of the payment: who sent it, on which ports, and its bytes both ways."""

    label: str
    client_port: int
    server_port: int
    request: bytes
    response: bytes


def record_payment() -> list[Message]:
    """Run one demo payment in process with the public randomness; its four HTTP exchanges, in order."""
    from paycore.payment.clock import FakeClock
    from paycore.payment.gateway.sqlite import SQLiteGatewayStore
    from paycore.payment.merchant.sqlite import SQLiteMerchantStore
    from paycore.payment.runtime.transport import InProcessNetwork
    from paycore.payment.runtime.world import World, assemble

    merchant_key, gateway_key, encryption_key = capture_keys()
    merchant_url, gateway_url = f"http://{_host(MERCHANT_PORT)}", f"http://{_host(GATEWAY_PORT)}"
    with public_randomness(PublicCaptureRandom()):
        network = InProcessNetwork()
        parties = assemble(
            clock=FakeClock(CAPTURE_TIME),
            gateway_store=SQLiteGatewayStore(":memory:"),
            merchant_store=SQLiteMerchantStore(":memory:"),
            gateway_key=gateway_key,
            gateway_encryption_key=encryption_key,
            merchant_key=merchant_key,
            link=network,
            gateway_url=gateway_url,
            merchant_url=merchant_url,
            token_secret=secrets.token_bytes(32),
        )
        gateway_app, merchant_app = parties.apps()
        network.add(gateway_url, gateway_app)
        network.add(merchant_url, merchant_app)
        with World(parties, network, parties.gateway.clock) as world:
            return _pay(world, merchant_url)


def _pay(world, merchant_url: str) -> list[Message]:
    def user(path: str, document: dict) -> tuple[bytes, bytes, dict]:
        body = json.dumps(document, separators=(",", ":")).encode()
        headers = [
            ("User-Agent", "paycore-capture"),
            ("Content-Type", "application/json"),
            ("X-User-Id", "alice"),
        ]
        reply = world.network.send("POST", merchant_url + path, headers=dict(headers), content=body)
        response = http_response(reply.status_code, reply.headers.multi_items(), reply.content)
        return http_request("POST", path, MERCHANT_PORT, headers, body), response, reply.json()

    order_request, order_response, order = user("/orders", ORDER)
    pay = {"amount": order["amount"], "method": CARD}
    pay_request, pay_response, paid = user(f"/orders/{order['order_id']}/pay", pay)
    payment = world.wire_log[-1]
    delivered = world.notifier.deliver_due()
    notification = world.wire_log[-1]
    if paid.get("status") != "PAID" or len(delivered.delivered) != 1:
        raise RuntimeError(f"the demo payment did not complete: {paid}")
    return [
        Message("3.1 the user's order", USER_PORTS[0], MERCHANT_PORT, order_request, order_response),
        Message("3.2 the user pays (card in clear)", USER_PORTS[1], MERCHANT_PORT, pay_request, pay_response),
        _from_record("3.3-3.5 merchant -> gateway", payment, MERCHANT_CLIENT_PORT, GATEWAY_PORT),
        _from_record("3.5-3.6 the notification", notification, NOTIFIER_PORT, MERCHANT_PORT),
    ]


def _from_record(label: str, record, client_port: int, server_port: int) -> Message:
    reply = record.reply
    request = http_request(
        record.method, record.target, server_port, record.request_headers.pairs(), record.request_body
    )
    return Message(
        label,
        client_port,
        server_port,
        request,
        http_response(reply.status, reply.headers.pairs(), reply.body),
    )


def write_capture(messages: list[Message], out: Path) -> Path:
    """The payment as TCP on loopback, one connection per exchange, in the order the bytes moved.

    The user's payment stays open while the merchant asks the gateway: the merchant answers the
    user only once the gateway has answered it.
    """
    from paycore.tools.pcap import Conversation, Ticker, write_pcap

    tick = Ticker(Decimal(CAPTURE_TIME))
    order, pay, payment, notification = messages
    connections = {m.label: Conversation(m.client_port, m.server_port, tick) for m in messages}

    def whole(message: Message) -> None:
        connection = connections[message.label]
        connection.open()
        connection.client_sends(message.request)
        connection.server_sends(message.response)
        connection.close()

    whole(order)
    paying = connections[pay.label]
    paying.open()
    paying.client_sends(pay.request)
    whole(payment)
    paying.server_sends(pay.response)
    paying.close()
    whole(notification)
    return write_pcap(list(connections.values()), out)


def run(args: argparse.Namespace) -> int:
    """Write the capture and say what is in it; 0 when it holds the payment and the card never
    crossed the gateway's port."""
    out = Path(args.out)
    if out.exists() and not args.force:
        raise ValueError(f"{out} exists: choose another name or pass --force")
    if args.live:
        from paycore.tools.live_capture import capture_live

        capture_live(out, args.merchant_port, args.gateway_port)
        merchant_port, gateway_port = args.merchant_port, args.gateway_port
    else:
        messages = record_payment()
        write_capture(messages, out)
        merchant_port, gateway_port = MERCHANT_PORT, GATEWAY_PORT
        for message in messages:
            print(
                f"  {message.label:36} {len(message.request):5} bytes -> {len(message.response):4} bytes back"
            )
    from paycore.tools.pcap import ports_carrying

    seen = ports_carrying(out, CARD_NUMBER.encode(), (merchant_port, gateway_port))
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    if gateway_port in seen:
        print(f"WARNING: the card number crossed the gateway's port {gateway_port}")
        return 1
    if merchant_port not in seen:
        print(f"WARNING: the capture holds no payment (the card number {CARD_NUMBER} is on no port)")
        return 1
    print(f"the card number {CARD_NUMBER} crosses port {merchant_port} only (the user to the merchant);")
    print(f"the gateway's port {gateway_port} carries only the sealed envelope")
    print(f"read it: tshark -r {out} -d tcp.port=={merchant_port},http -d tcp.port=={gateway_port},http")
    return 0
