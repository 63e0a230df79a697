"""``paycore demo``: one payment through the six steps of the seed article, with the wire in view.

Both parties run in this process (their real FastAPI apps, reached through ``httpx``'s ASGI
transport), so the tour needs no ports; ``paycore serve`` runs the same apps over real HTTP.
Each step prints what crosses the wire: the canonical string that is signed, the signature, the
sealed envelope, the HTTP status. At the end a tampered request is shown being refused.
"""

from __future__ import annotations

import argparse
import base64
import json
import textwrap

from paycore.payment.protocol import PAYMENTS_PATH
from paycore.payment.runtime.demo import MERCHANT_ID
from paycore.payment.runtime.world import GATEWAY_URL, build_world

CARD = {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}
ORDER = {
    "items": [{"sku": "TEA-1", "name": "Longjing green tea", "quantity": 2, "unit_price": 4990}],
    "currency": "CNY",
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("--quiet", action="store_true", help="print only the outcome of each step")


def _short(text: str, width: int = 96) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _show(label: str, text: str) -> None:
    print(textwrap.indent(f"{label}\n" + textwrap.indent(text, "    "), "     "))


def _envelope_view(envelope: dict) -> str:
    return json.dumps(
        {name: _short(value, 40) if isinstance(value, str) else value for name, value in envelope.items()},
        indent=1,
    )


def _step(step: str, who: str, *lines: str) -> None:
    """One step of the tour: its number and actor, then its lines aligned under each other."""
    print(f"{step:<5}{who:<22}{lines[0]}")
    for line in lines[1:]:
        print(" " * 27 + line)


def run(args: argparse.Namespace) -> int:
    """Walk one payment through steps 3.1 to 3.6; 0 when the order ends PAID and both attacks are refused."""
    verbose = not args.quiet
    print("paycore demo: one payment through the seed article's six steps (sections 3.1-3.6)")
    print("(both parties run in this process; `paycore serve` runs the same apps over real HTTP)\n")
    world = build_world()
    try:
        merchant, gateway, client = world.merchant, world.gateway, world.merchant_client()
        _step(
            "",
            "merchant " + MERCHANT_ID,
            f"signs with key {merchant.signer.key_id[:16]}... ({merchant.signer.algorithm.value})",
        )
        _step(
            "",
            "gateway",
            f"signs with key {gateway.key_id[:16]}...,",
            f"decrypts with another key, {gateway.encryption_key_id[:16]}... (one key, one purpose)\n",
        )

        user = {"X-User-Id": "alice"}
        created = client.post("/orders", json=ORDER, headers=user)
        order = created.json()
        _step(
            "3.1",
            "user -> merchant",
            f"POST /orders -> HTTP {created.status_code}: order {order['order_id']},",
            f"{order['amount']['value']} fen CNY, {order['status']}",
        )
        _step(
            "3.2",
            "merchant validates",
            "the order exists and is alice's, the amount equals the order's,",
            "its status allows paying, it has not expired",
        )
        paid = client.post(
            f"/orders/{order['order_id']}/pay", headers=user, json={"amount": order["amount"], "method": CARD}
        )
        record = world.wire_log[-1]
        headers, reply = record.request_headers, record.reply
        _step(
            "3.3",
            "merchant -> gateway",
            f"POST {PAYMENTS_PATH}: {len(record.request_body)} bytes, the card sealed, the bytes signed",
        )
        if verbose:
            signature = headers["Paycore-Signature"]
            _show("canonical string (what the signature covers):", record.canonical.decode())
            _show(
                f"signature ({headers['Paycore-Signature-Algorithm']}, {len(base64.b64decode(signature))} "
                "bytes, base64):",
                _short(signature, 88),
            )
            _show(
                "payer envelope (RSA-OAEP-256 wraps an AES-256-GCM key; the card never travels in clear):",
                _envelope_view(json.loads(record.request_body)["payer"]),
            )
        _step(
            "3.4",
            "gateway checks",
            "key id, signature, window, nonce, idempotency, decrypt, validate;",
            f"then debits the payer and credits {MERCHANT_ID} in one transaction",
        )
        answer = json.loads(reply.body)
        _step(
            "3.5",
            "gateway -> merchant",
            f"HTTP {reply.status}, signed by key {reply.headers['paycore-key-id'][:16]}"
            f"...: payment {answer['payment_id']} {answer['status']}",
        )
        if verbose:
            _show("signed answer body:", _short(reply.body.decode(), 200))
        final = paid.json()
        _step(
            "3.6",
            "merchant verifies",
            "the gateway's signature over this request's nonce, re-checks the amount:",
            f"order {final['order_id']} is {final['status']} (payer {final['payer']})",
        )
        delivered = world.notifier.deliver_due()
        status = merchant.get_order("alice", order["order_id"])["status"]
        _step(
            "",
            "notification",
            f"{len(delivered.delivered)} signed notification delivered, deduplicated by "
            f"event id; order still {status}",
        )

        print("\nand an attacker who captured that request:")
        url = GATEWAY_URL + PAYMENTS_PATH
        tampered = record.request_body.replace(b'"value":9980', b'"value":1')
        refused = world.network.request("POST", url, headers, tampered)
        replayed = world.network.request("POST", url, headers, record.request_body)
        for action, result in (
            ("changes the amount to 1, sends it", refused),
            ("sends it again unchanged", replayed),
        ):
            error = json.loads(result.body)["error"]
            print(f"     {action:<34} -> HTTP {result.status} {error['code']}: {error['message']}")
        totals = gateway.check_ledger()
        print(
            f"\nledger: every transfer sums to zero; totals per currency {totals}; "
            f"merchant balance {gateway.balance(f'merchant:{MERCHANT_ID}:CNY')} fen"
        )
        ok = (
            final["status"] == "PAID"
            and refused.status == replayed.status == 401
            and all(value == 0 for value in totals.values())
        )
        print("demo ok" if ok else "demo FAILED")
        return 0 if ok else 1
    finally:
        world.close()
