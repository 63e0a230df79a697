"""The gateway's persistent outbox: signed notifications delivered until acknowledged (step 3.5).

A payment's notification is written in the *same transaction* as the payment itself, so a
committed payment always has its notification queued, even if the gateway crashes a moment later
(the "transactional outbox" pattern). A :class:`Notifier` then delivers due messages, signing
each attempt afresh, and on failure schedules the next attempt further away, as WeChat Pay does
(15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min ... about 24 hours in all). After the last
attempt the message is marked dead; the merchant's reconciliation query covers that case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from paycore.payment.clock import Clock
from paycore.payment.protocol.signing import MessageSigner
from paycore.payment.protocol.wire import Link, LinkError

RETRY_SCHEDULE: tuple[int, ...] = (
    15,
    15,
    30,
    180,
    600,
    1200,
    1800,
    1800,
    1800,
    3600,
    10800,
    10800,
    10800,
    21600,
    21600,
)
"""Seconds to wait after each failed attempt; its length is the number of retries."""


@dataclass(frozen=True)
class OutboxMessage:
    """One queued notification: where it goes, its exact body, and how often it was tried."""

    event_id: str
    url: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class DeliveryReport:
    """What one :meth:`Notifier.deliver_due` pass did."""

    delivered: tuple[str, ...] = ()
    retrying: tuple[str, ...] = ()
    dead: tuple[str, ...] = ()


class Mailroom(Protocol):
    """What the notifier needs of the gateway's store."""

    def due_messages(self, now: float, limit: int) -> list[OutboxMessage]: ...

    def record_delivery(
        self, event_id: str, *, state: str, attempts: int, result: str, now: float, retry_at: float | None
    ) -> None: ...

    def pending_messages(self) -> list[dict]: ...


def next_attempt(attempts: int, now: float) -> float | None:
    """When to try again after ``attempts`` failed attempts; ``None`` once the schedule is spent.

    >>> next_attempt(1, now=0), next_attempt(len(RETRY_SCHEDULE), now=0), next_attempt(16, now=0)
    (15, 21600, None)
    """
    if attempts > len(RETRY_SCHEDULE):
        return None
    return now + RETRY_SCHEDULE[attempts - 1]


class Notifier:
    """Delivers due outbox messages over a link (real HTTP or in process).

    One notifier per gateway database: a second one would deliver some messages twice, which is
    harmless (merchants deduplicate by event id) but wasteful.
    """

    def __init__(self, store: Mailroom, signer: MessageSigner, link: Link, clock: Clock) -> None:
        self.store = store
        self.signer = signer
        self.link = link
        self.clock = clock

    def _attempt(self, message: OutboxMessage) -> tuple[bool, str]:
        path = urlsplit(message.url).path or "/"
        headers = {
            "Content-Type": "application/json",
            **self.signer.sign_request("POST", path, message.body, timestamp=int(self.clock.now())),
        }
        try:
            reply = self.link.request("POST", message.url, headers, message.body)
        except LinkError as exc:
            return False, str(exc)
        return 200 <= reply.status < 300, f"HTTP {reply.status}"

    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        """Try every message that is due now; return what happened to each."""
        now = self.clock.now()
        outcome: dict[str, list[str]] = {"delivered": [], "retrying": [], "dead": []}
        for message in self.store.due_messages(now, limit):
            ok, result = self._attempt(message)
            attempts = message.attempts + 1
            retry_at = None if ok else next_attempt(attempts, now)
            state = "delivered" if ok else ("pending" if retry_at is not None else "dead")
            self.store.record_delivery(
                message.event_id,
                state=state,
                attempts=attempts,
                result=result,
                now=now,
                retry_at=retry_at,
            )
            outcome["retrying" if state == "pending" else state].append(message.event_id)
        return DeliveryReport(*(tuple(outcome[name]) for name in ("delivered", "retrying", "dead")))

    def pending(self) -> list[dict]:
        """The undelivered messages, for inspection."""
        return self.store.pending_messages()
