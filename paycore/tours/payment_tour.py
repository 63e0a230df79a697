"""``paycore demo``: one payment through the six steps of the seed article, with the wire in view.

Both parties run in this process (their real FastAPI apps, reached through ``httpx``'s ASGI
transport), so the tour needs no ports; ``paycore serve`` runs the same apps over real HTTP.
Step 3.3 shows the merchant's request once, as it crossed the wire (headers and JSON body), and
the canonical string its signature covers, line by line; step 3.5 shows the gateway's signed
answer the same way, with the canonical string that binds it to the request. At the end a
tampered and a replayed request are shown being refused, and the ledger is checked.
Everything fits the screen (``--width``, default the terminal's, at most 100 columns).
"""

from __future__ import annotations

import argparse
import base64
import json
from http import HTTPStatus

from paycore.payment.money import Money
from paycore.payment.protocol import ALGORITHM, PAYMENTS_PATH, SIGNATURE
from paycore.payment.runtime.demo import DEMO_WALLETS, MERCHANT_ID
from paycore.payment.runtime.wirelog import WireRecord
from paycore.payment.runtime.world import GATEWAY_URL, build_world
from paycore.tours.screen import Screen, add_screen_options, json_lines, keep, labelled, shorten, wrap

CARD = {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}
ORDER = {
    "items": [{"sku": "TEA-1", "name": "Longjing green tea", "quantity": 2, "unit_price": 4990}],
    "currency": "CNY",
}
REQUEST_LINES = ("METHOD", "TARGET", "TIMESTAMP", "NONCE", "SHA-256 OF BODY")
ANSWER_LINES = ("STATUS", "REQUEST NONCE", "TIMESTAMP", "NONCE", "SHA-256 OF BODY")
MINOR_UNIT_NAMES = {"CNY": "fen", "USD": "cents", "EUR": "cents", "HKD": "cents", "GBP": "pence"}
STEP, WHO = 5, 22  # the widths of the step-number and actor columns
INDENT = " " * STEP


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("--quiet", action="store_true", help="print only the outcome of each step")
    add_screen_options(parser)


def amount_text(money: Money) -> str:
    """``CNY 99.80 (9980 fen)``: the amount as a reader says it, and as the wire carries it.

    >>> amount_text(Money(9980, "CNY")), amount_text(Money(500, "JPY"))
    ('CNY 99.80 (9980 fen)', 'JPY 500')
    """
    if money.exponent == 0:
        return str(money)
    return f"{money} ({money.minor_units} {MINOR_UNIT_NAMES.get(money.currency, 'minor units')})"


def canonical_pairs(canonical: bytes, labels: tuple[str, ...]) -> list[tuple[str, str]]:
    """The lines of a canonical string, each with the name of the field it holds."""
    lines = canonical.decode().split("\n")
    if len(lines) != len(labels) + 1 or lines[-1] != "":
        raise ValueError(f"a canonical string has {len(labels)} lines, each ending in a line feed")
    return list(zip(labels, lines[:-1], strict=True))


class Tour:
    """Prints the tour's lines, fitted to a :class:`Screen`."""

    def __init__(self, screen: Screen, verbose: bool) -> None:
        self.screen = screen
        self.verbose = verbose

    def say(self, text: str = "") -> None:
        print(text)

    def step(self, number: str, who: str, *sentences: str) -> None:
        """One step: its number and actor, then its sentences wrapped in the column beside them."""
        head = f"{number:<{STEP}}{who:<{WHO}}"
        if len(head) > STEP + WHO:  # an actor too long for its column starts its text on the next line
            self.say(head.rstrip())
            head = ""
        lines: list[str] = []
        for sentence in sentences:
            lines += wrap(sentence, self.screen.width, " " * (STEP + WHO))
        if head:
            shown = self.screen.strong(number) + head[len(number) :] if number else head
            lines[0] = shown + lines[0].lstrip()
        for line in lines:
            self.say(line)

    def heading(self, title: str) -> None:
        self.say(INDENT + self.screen.rule(title)[: self.screen.width - STEP])

    def note(self, text: str) -> None:
        for line in wrap(text, self.screen.width, INDENT):
            self.say(line)

    def headers(self, first_line: str, headers) -> None:
        """An HTTP message's first line and headers, one per line, the signature shortened."""
        self.say(INDENT + first_line)
        room = self.screen.width - STEP
        for name, value in headers.pairs():
            line = f"{name}: {value}"
            if name.lower() == SIGNATURE.lower():
                size = len(base64.b64decode(value))
                scheme = headers.get(ALGORITHM, "")
                tail = f"  ({scheme}, {size} bytes, base64)"
                line = shorten(line, room - len(tail)) + tail
            self.say(INDENT + shorten(line, room))

    def body(self, raw: bytes) -> None:
        """The JSON body, pretty-printed to fit; long strings shortened, still valid JSON."""
        lines, shortened = json_lines(json.loads(raw), self.screen.width, INDENT)
        for line in lines:
            self.say(line)
        if shortened:
            self.note("(long string values shortened in the middle with ...; the body above is still JSON)")

    def canonical(self, title: str, canonical: bytes, labels: tuple[str, ...]) -> None:
        self.note(title)
        for line in labelled(canonical_pairs(canonical, labels), self.screen.width, INDENT + "    "):
            self.say(line)


def run(args: argparse.Namespace) -> int:
    """Walk one payment through steps 3.1 to 3.6; 0 when the order ends PAID and both attacks are refused."""
    tour = Tour(Screen.from_args(args), verbose=not args.quiet)
    say = tour.say
    for line in wrap(
        "paycore demo: one payment through the seed article's six steps (sections 3.1-3.6). Both "
        "parties run in this process; `paycore serve` runs the same apps over real HTTP.",
        tour.screen.width,
    ):
        say(line)
    say()
    with build_world() as world:
        return _walk(tour, world)


def _walk(tour: Tour, world) -> int:
    say = tour.say
    merchant, gateway, client = world.merchant, world.gateway, world.merchant_client()
    tour.step("", "merchant " + MERCHANT_ID, f"signs with key {merchant.signer.key_id[:16]}... "
              f"({merchant.signer.algorithm.value})")  # fmt: skip
    tour.step("", "gateway", f"signs with key {gateway.key_id[:16]}..., and opens envelopes with another,",
              f"{gateway.encryption_key_id[:16]}... (one key, one purpose)")  # fmt: skip
    say()

    user = {"X-User-Id": "alice"}
    created = client.post("/orders", json=ORDER, headers=user)
    order = created.json()
    amount = Money.from_json(order["amount"])
    tour.step(
        "3.1",
        "user -> merchant",
        f"POST /orders -> {keep(f'HTTP {created.status_code}')}: order {order['order_id']}, "
        f"{keep(amount_text(amount))}, {order['status']}",
    )
    tour.step(
        "3.2",
        "merchant validates",
        "the order exists and is alice's, the amount equals the order's, its status allows paying, "
        "it has not expired",
    )
    paid = client.post(
        f"/orders/{order['order_id']}/pay", headers=user, json={"amount": order["amount"], "method": CARD}
    )
    record: WireRecord = world.wire_log[-1]
    reply = record.reply
    tour.step(
        "3.3",
        "merchant -> gateway",
        f"POST {PAYMENTS_PATH}: {len(record.request_body)} bytes, the card sealed, the bytes signed",
    )
    if tour.verbose:
        _show_request(tour, record)
    tour.step(
        "3.4",
        "gateway checks",
        "key id, signature, window, nonce, idempotency; decrypts the envelope and validates it; "
        f"then debits the payer and credits {MERCHANT_ID} in one transaction",
    )
    answer = json.loads(reply.body)
    tour.step(
        "3.5",
        "gateway -> merchant",
        f"{keep(f'HTTP {reply.status}')}, signed by key {reply.headers['paycore-key-id'][:16]}...: "
        f"payment {answer['payment_id']} {answer['status']}",
    )
    if tour.verbose:
        _show_answer(tour, record)
    final = paid.json()
    tour.step(
        "3.6",
        "merchant verifies",
        "the gateway's signature over this request's nonce, and re-checks the amount: "
        f"order {final['order_id']} is {final['status']} (payer {final['payer']})",
    )
    delivered = world.notifier.deliver_due()
    status = merchant.get_order("alice", order["order_id"])["status"]
    tour.step(
        "",
        "notification",
        f"{len(delivered.delivered)} signed notification delivered, deduplicated by event id; "
        f"order still {status}",
    )
    refused, replayed = _attack(tour, world, record, amount)
    ok = _ledger(tour, gateway, amount) and final["status"] == "PAID" and refused == replayed == 401
    say(tour.screen.good("demo ok") if ok else tour.screen.bad("demo FAILED"))
    return 0 if ok else 1


def _show_request(tour: Tour, record: WireRecord) -> None:
    tour.heading("the request, as it crossed the wire")
    tour.headers(f"{record.method} {record.target} HTTP/1.1", record.request_headers)
    tour.say()
    tour.body(record.request_body)
    tour.note(
        "payer: the envelope. RSA-OAEP-256 wraps a fresh AES-256-GCM key (ek); the card is in ct, "
        "which only the gateway's private key can open."
    )
    tour.say()
    tour.canonical(
        "what the merchant's signature covers: the canonical string, five lines each ending in \\n",
        record.canonical,
        REQUEST_LINES,
    )


def _show_answer(tour: Tour, record: WireRecord) -> None:
    reply = record.reply
    tour.heading("the signed answer, as it came back")
    tour.headers(f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}", reply.headers)
    tour.say()
    tour.body(reply.body)
    tour.say()
    canonical = record.reply_canonical
    if canonical is None:
        tour.note("the answer carries no signature headers: the merchant treats it as forged")
        return
    tour.canonical("what the gateway's signature covers:", canonical, ANSWER_LINES)
    tour.note(
        "REQUEST NONCE is the nonce of the request above: this signed answer belongs to that request "
        "only, and cannot be replayed as the answer to another."
    )


def _attack(tour: Tour, world, record: WireRecord, amount: Money) -> tuple[int, int]:
    tour.say()
    tour.say("and an attacker who captured that request...")
    url = GATEWAY_URL + PAYMENTS_PATH
    value = f'"value":{amount.minor_units}'.encode()
    tampered = record.request_body.replace(value, b'"value":1')
    refused = world.network.request("POST", url, record.request_headers, tampered)
    replayed = world.network.request("POST", url, record.request_headers, record.request_body)
    for action, result in (
        (f"changes the amount to {keep(amount_text(Money(1, amount.currency)))} and sends it", refused),
        ("sends it again, unchanged", replayed),
    ):
        error = json.loads(result.body)["error"]
        outcome = keep(f"-> HTTP {result.status} {error['code']}:")
        for line in wrap(
            f"{action} {outcome} {error['message']}", tour.screen.width, INDENT + "    ", INDENT
        ):
            tour.say(line)
    return refused.status, replayed.status


def _ledger(tour: Tour, gateway, amount: Money) -> bool:
    """The books in words: each currency's balances sum to zero; what the merchant now holds."""
    totals = gateway.check_ledger()
    balance = gateway.balance(f"merchant:{MERCHANT_ID}:{amount.currency}")
    parts = [f"the {currency} balances {'sum ' if not index else ''}to {total}"
             for index, (currency, total) in enumerate(sorted(totals.items()))]  # fmt: skip
    words = (
        f"ledger: every transfer's entries sum to zero, so no money was made or lost: {' and '.join(parts)}"
    )
    others = sorted(set(totals) - {amount.currency})
    if others:
        wallets = [
            f"a {c} wallet, {name}," for c in others for name, (_, cur) in DEMO_WALLETS.items() if cur == c
        ]
        words += f" (the demo payers include {' and '.join(wallets)} which this payment does not touch)"
    held = keep(amount_text(Money(balance, amount.currency))) if balance > 0 else "nothing"
    words += f". The merchant's {amount.currency} account now holds {held}."
    tour.say()
    for line in wrap(words, tour.screen.width):
        tour.say(line)
    return all(total == 0 for total in totals.values()) and balance == amount.minor_units
