"""Make docs/protocol-example/: one real payment request, its signed answer and its notification.

Run from the repository root: ``.venv/bin/python docs/tools/make_protocol_example.py``, then
``docs/tools/build_protocol_doc.py``. Keys are generated once and then reused (delete the
PEM files to make new ones). Everything else comes from one run of the real code: the merchant's
HTTP app, its own request builder and signer, the gateway, the notifier. Only the request nonce is
pinned (the brief asks for a fixed timestamp and nonce); the clock is a FakeClock.
"""

from __future__ import annotations

import json
from pathlib import Path

from paycore import secure
from paycore.payment import FakeClock, build_world
from paycore.payment.protocol import SIGNATURE_HEADERS, envelope_context
from paycore.payment.protocol.signing import canonical_request, canonical_response
from paycore.payment.runtime.demo import NOTIFY_PATH

OUT = Path(__file__).resolve().parents[1] / "protocol-example"
TIMESTAMP = 1_764_201_600  # 2025-11-27 00:00:00 UTC
REQUEST_NONCE = "7f3a9c2e5b1d4f6a8c0e2b4d6f8a1c3e"
LABEL = (
    "EXAMPLE {kind} KEY of the {party} in docs/PROTOCOL.md. PUBLISHED ON PURPOSE: "
    "NEVER USE IT FOR ANYTHING REAL.\n"
)
ORDER = {
    "items": [{"sku": "TEA-1", "name": "Longjing green tea", "quantity": 2, "unit_price": 4990}],
    "currency": "CNY",
}
CARD = {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}


def key_pair(party: str):
    private_path = OUT / f"{party}-private.EXAMPLE.pem"
    public_path = OUT / f"{party}-public.EXAMPLE.pem"
    if private_path.exists():
        key = secure.load_private_key_pem(private_path.read_bytes())
    else:
        key = secure.generate_private_key(2048)
        private_path.write_bytes(
            LABEL.format(kind="PRIVATE", party=party.replace("-", " ")).encode()
            + secure.private_key_to_pem(key)
        )
    public_path.write_bytes(
        LABEL.format(kind="PUBLIC", party=party.replace("-", " ")).encode() + secure.public_key_to_pem(key)
    )
    return key


def header_lines(headers: dict[str, str]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in headers.items())


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    merchant_key, gateway_key = key_pair("merchant"), key_pair("gateway")
    encryption_key = key_pair("gateway-encryption")
    world = build_world(
        clock=FakeClock(TIMESTAMP),
        merchant_key=merchant_key,
        gateway_key=gateway_key,
        gateway_encryption_key=encryption_key,
    )
    try:
        signer = world.merchant.signer
        real_sign_request = signer.sign_request

        def pinned(method, path, body, *, timestamp, nonce=None):
            signer.sign_request = real_sign_request  # only the first request gets the pinned nonce
            return real_sign_request(method, path, body, timestamp=timestamp, nonce=REQUEST_NONCE)

        signer.sign_request = pinned
        client = world.merchant_client()
        user = {"X-User-Id": "alice"}
        order = client.post("/orders", json=ORDER, headers=user).json()
        paid = client.post(
            f"/orders/{order['order_id']}/pay", headers=user, json={"amount": order["amount"], "method": CARD}
        )
        assert paid.status_code == 200 and paid.json()["status"] == "PAID", paid.text
        request = world.wire_log[-1]
        headers, body, reply = request.request_headers, request.request_body, request.reply
        assert headers["Paycore-Nonce"] == REQUEST_NONCE and headers["Paycore-Timestamp"] == str(TIMESTAMP)
        request_canonical = canonical_request("POST", "/v1/payments", TIMESTAMP, REQUEST_NONCE, body)
        assert request_canonical == request.canonical

        response_canonical = canonical_response(
            reply.status,
            REQUEST_NONCE,
            int(reply.headers["paycore-timestamp"]),
            reply.headers["paycore-nonce"],
            reply.body,
        )
        assert response_canonical == request.reply_canonical
        document = json.loads(body)
        plaintext = secure.open_envelope(
            encryption_key,
            document["payer"],
            associated_data=envelope_context(document["merchant_id"], document["out_trade_no"]),
        )

        report = world.notifier.deliver_due()
        assert len(report.delivered) == 1, report
        notification = world.wire_log[-1]
        n_url, n_headers, n_body, n_reply = (
            notification.url,
            notification.request_headers,
            notification.request_body,
            notification.reply,
        )
        notification_canonical = canonical_request(
            "POST", NOTIFY_PATH, int(n_headers["Paycore-Timestamp"]), n_headers["Paycore-Nonce"], n_body
        )
        assert notification_canonical == notification.canonical

        files = {
            "request-body.json": body,
            "request-headers.txt": header_lines(headers).encode(),
            "request-canonical.txt": request_canonical,
            "request-signature-rsa2.txt": __import__("base64")
            .b64encode(secure.sign(merchant_key, request_canonical, "RSA-PKCS1v15-SHA256"))
            .decode()
            .encode()
            + b"\n",
            "payer-plaintext.json": plaintext,
            "response-status.txt": f"{reply.status}\n".encode(),
            "response-headers.txt": header_lines(reply.headers).encode(),
            "response-body.json": reply.body,
            "response-canonical.txt": response_canonical,
            "notification-headers.txt": header_lines(n_headers).encode(),
            "notification-body.json": n_body,
            "notification-canonical.txt": notification_canonical,
            "notification-ack.json": n_reply.body,
        }
        for name, data in files.items():
            (OUT / name).write_bytes(data)
            print(f"{name:30} {len(data):5} bytes")
        print("notify url:", n_url, "ack status:", n_reply.status)
        print("signature headers:", SIGNATURE_HEADERS)
    finally:
        world.close()


if __name__ == "__main__":
    main()
