"""The six steps of one payment, read from the wire log: what crossed the wire at each, exactly.

Nothing here is made up for show. The merchant's wire log holds every request it sent the gateway
and every notification the gateway sent it, with the exact header and body bytes; this module
picks out one order's current payment attempt and lays it out along the seed article's steps
3.1 to 3.6 -- the signed canonical strings line by line, the headers, the sealed envelope, the
signed answer and its canonical string, the notification. Labels are keys of :mod:`.labels`, so
the page can show them in either language; values are the bytes as they were.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from paycore.payment.money import Money
from paycore.payment.protocol import NONCE, PAYMENTS_PATH
from paycore.payment.protocol.signing import body_digest
from paycore.payment.protocol.wire import Headers, Reply, decode_json_object

REQUEST_LINES = ("line.method", "line.target", "line.timestamp", "line.nonce", "line.body_hash")
RESPONSE_LINES = ("line.status", "line.request_nonce", "line.timestamp", "line.nonce", "line.body_hash")
ENVELOPE_FIELDS = ("v", "alg", "enc", "kid", "ek", "iv", "ct")


class Record(Protocol):
    """One message in the wire log (:class:`paycore.payment.runtime.wirelog.WireRecord`)."""

    method: str
    url: str
    request_headers: Headers
    request_body: bytes
    reply: Reply | None
    error: str | None

    @property
    def target(self) -> str: ...
    @property
    def canonical(self) -> bytes: ...
    @property
    def reply_canonical(self) -> bytes | None: ...
    @property
    def out_trade_no(self) -> str | None: ...


class WireRecords(Protocol):
    """What the shop needs of the wire log: one order's messages, oldest first."""

    def for_order(self, order_id: str) -> list[Record]: ...


@dataclass(frozen=True)
class Panel:
    """One thing to show in a step: labelled lines (``rows``) or a block of ``text``."""

    title: str
    rows: tuple[tuple[str, str, tuple], ...] = ()
    """(label key or header name, value, note) triples; a note is ``()`` or (label key, values)."""
    text: str = ""
    note: str = ""


@dataclass(frozen=True)
class Step:
    number: str
    title: str
    actor: str
    facts: tuple[tuple[str, dict], ...] = ()
    """Sentences as (label key, values to fill in)."""
    panels: tuple[Panel, ...] = ()
    waiting: bool = False


@dataclass(frozen=True)
class Attack:
    """A captured request sent again by the replay or tamper button, and how the gateway answered."""

    kind: str
    status: int | None
    code: str
    message: str


@dataclass(frozen=True)
class Story:
    steps: tuple[Step, ...]
    captured: Record | None = None
    attacks: tuple[Attack, ...] = field(default=())

    @property
    def waiting(self) -> bool:
        return any(step.waiting for step in self.steps)


def when(timestamp: int | str | None) -> str:
    """Unix seconds as a UTC time people read."""
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(timestamp)))
    except (TypeError, ValueError, OverflowError):
        return ""


def _pretty(body: bytes) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body.decode("utf-8", "replace")


def _canonical(title: str, canonical: bytes | None, labels: Sequence[str], body: bytes) -> Panel:
    lines = (canonical or b"").decode("utf-8", "replace").split("\n")[: len(labels)]
    notes = {
        "line.timestamp": ("note.utc", {"time": when(lines[2]) if len(lines) > 2 else ""}),
        "line.body_hash": ("note.hash_of", {"bytes": len(body)}),
    }
    return Panel(
        title,
        tuple((label, value, notes.get(label, ())) for label, value in zip(labels, lines, strict=False)),
        note="note.canonical",
    )


def _headers(title: str, headers: Headers) -> Panel:
    return Panel(title, tuple((name, value, ()) for name, value in headers.pairs()))


def _error(reply: Reply | None) -> tuple[str, str]:
    document = decode_json_object(reply.body) if reply is not None else None
    error = (document or {}).get("error")
    if isinstance(error, dict):
        return str(error.get("code", "")), str(error.get("message", ""))
    return "", ""


def _pick(records: Sequence[Record], attempt: str | None, notify_path: str) -> tuple[list, list]:
    mine = [r for r in records if attempt is not None and r.out_trade_no == attempt]
    requests = [r for r in mine if r.method == "POST" and urlsplit(r.url).path == PAYMENTS_PATH]
    notes = [r for r in mine if r.method == "POST" and urlsplit(r.url).path == notify_path]
    return requests, notes


def story(order: dict, records: Sequence[Record], *, notify_path: str) -> Story:
    """The six steps of the order's current payment attempt, from its messages in the wire log."""
    requests, notifications = _pick(records, order.get("out_trade_no"), notify_path)
    captured = next((r for r in requests if r.reply is not None), None)
    nonce = captured.request_headers.get(NONCE) if captured else None
    resent = [r for r in requests if r is not captured and nonce and r.request_headers.get(NONCE) == nonce]
    delivered = next((n for n in notifications if n.reply is not None and n.reply.status < 300), None)
    notification = delivered or (notifications[-1] if notifications else None)
    amount = order["amount"]
    steps = [
        Step(
            "3.1",
            "step.order",
            "actor.user_merchant",
            (("fact.order", {"order": order["order_id"], "lines": len(order["items"])}),),
            (Panel("panel.order", text=json.dumps({"items": order["items"]}, indent=2, ensure_ascii=False)),),
        ),
        Step(
            "3.2",
            "step.validate",
            "actor.merchant",
            (
                (
                    "fact.validate",
                    {"value": amount["value"], "amount": Money(amount["value"], amount["currency"])},
                ),
            )
            + ((("fact.attempt", {"attempt": order["out_trade_no"]}),) if order.get("out_trade_no") else ()),
        ),
    ]
    if captured is None:
        steps.append(Step("3.3", "step.request", "actor.merchant_gateway", (("fact.no_request", {}),)))
        return Story(tuple(steps))
    document = decode_json_object(captured.request_body) or {}
    envelope = document.get("payer") if isinstance(document.get("payer"), dict) else {}
    steps.append(
        Step(
            "3.3",
            "step.request",
            "actor.merchant_gateway",
            (("fact.request", {"bytes": len(captured.request_body), "url": captured.url}),),
            (
                _canonical("panel.canonical", captured.canonical, REQUEST_LINES, captured.request_body),
                _headers("panel.headers", captured.request_headers),
                Panel(
                    "panel.envelope",
                    tuple((f"env.{name}", str(envelope.get(name, "")), ()) for name in ENVELOPE_FIELDS),
                    note="note.envelope",
                ),
                Panel("panel.body", text=_pretty(captured.request_body), note="note.body"),
            ),
        )
    )
    reply = captured.reply
    answer = decode_json_object(reply.body) or {}
    code, message = _error(reply)
    if code:  # refused: the checks did not all pass, and no money moved
        outcome: tuple = (("fact.refused", {"status": reply.status, "code": code, "message": message}),)
    else:
        checked = ("fact.checks", {"key": captured.request_headers.get("Paycore-Key-Id", "")[:16]})
        payment = answer.get("payment_id", "")
        moved = (
            ("fact.moved", {"payment": payment})
            if answer.get("status") == "SUCCEEDED"
            else ("fact.declined", {"payment": payment, "code": answer.get("failure_code") or "-"})
        )
        outcome = (checked, moved)
    steps.append(Step("3.4", "step.checks", "actor.gateway", outcome))
    answer_panels = [
        _canonical("panel.answer_canonical", captured.reply_canonical, RESPONSE_LINES, reply.body),
        _headers("panel.answer_headers", reply.headers),
        Panel("panel.answer", text=_pretty(reply.body)),
    ]
    if notification is not None:
        answer_panels += [
            _canonical(
                "panel.notification_canonical",
                notification.canonical,
                REQUEST_LINES,
                notification.request_body,
            ),
            _headers("panel.notification_headers", notification.request_headers),
            Panel("panel.notification", text=_pretty(notification.request_body), note="note.notification"),
        ]
    steps.append(
        Step(
            "3.5",
            "step.answer",
            "actor.gateway_merchant",
            (("fact.answer", {"status": reply.status, "hash": body_digest(reply.body)[:16]}),)
            + (
                (("fact.notification", {"url": notification.url, "count": len(notifications)}),)
                if notification is not None
                else (("fact.no_notification_yet", {}),)
            ),
            tuple(answer_panels),
            waiting=notification is None and reply.status == 200,
        )
    )
    ack = notification.reply if notification is not None else None
    steps.append(
        Step(
            "3.6",
            "step.apply",
            "actor.merchant",
            (("fact.applied", {"status": order["status"], "payer": order.get("payer") or "-"}),)
            + (
                (("fact.acknowledged", {"status": ack.status, "body": ack.body.decode("utf-8", "replace")}),)
                if ack is not None
                else ()
            ),
        )
    )
    attacks = tuple(
        Attack(
            "replay" if r.request_body == captured.request_body else "tamper",
            r.reply.status if r.reply is not None else None,
            *(_error(r.reply) if r.reply is not None else ("", r.error or "")),
        )
        for r in resent
    )
    return Story(tuple(steps), captured, attacks)


def tampered(body: bytes) -> bytes:
    """The captured request body with its amount changed to one fen (two, if it was one): same bytes else.

    >>> tampered(b'{"out_trade_no":"ord_1-1","amount":{"value":9980,"currency":"CNY"}}')
    b'{"out_trade_no":"ord_1-1","amount":{"value":1,"currency":"CNY"}}'
    """
    document = json.loads(body)
    value = document["amount"]["value"]
    document["amount"]["value"] = 2 if value == 1 else 1
    return json.dumps(document, separators=(",", ":")).encode()
