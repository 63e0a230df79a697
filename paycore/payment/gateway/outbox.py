"""The gateway's persistent outbox: signed notifications delivered until acknowledged (step 3.5).

A payment's notification is written in the *same transaction* as the payment itself, so a
committed payment always has its notification queued, even if the gateway crashes a moment later
(the "transactional outbox" pattern). A :class:`Notifier` then delivers due messages, signing
each attempt afresh, and on failure schedules the next attempt further away, as WeChat Pay does
(15 s, 15 s, 30 s, 3 min, 10 min, 20 min, 30 min ... about 24 hours in all). After the last
attempt -- or at once, when its URL can never be reached -- the message is *parked* (state
``dead``, the dead-letter queue): the operator sees it with ``paycore outbox`` and may send it
again; the merchant's reconciliation query covers it meanwhile.

No merchant can stop the notifier. Every failure of one delivery -- a bad URL, DNS, a refused
connection, a timeout, a reset, garbage in reply, any exception at all -- is recorded against that
message and retried on its schedule. Deliveries run concurrently in :class:`~.lanes.Lanes`, one
lane per destination (scheme, host and port) with at most :data:`PER_DESTINATION` at a time, so an
endpoint that never answers delays nobody else; the link's short timeouts bound each attempt.

Every message has a *format*: ``paycore/1`` (signed ``Paycore-*`` headers over the request's
canonical string, as above), or one a platform dialect registers with the notifier -- a
:class:`NotificationFormat` that signs and encodes each attempt its own way, says whether the
merchant's answer is an acknowledgement, and brings its own retry schedule.
"""

from __future__ import annotations

import logging
from concurrent.futures import wait
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from paycore.payment.clock import Clock
from paycore.payment.gateway.lanes import Lanes
from paycore.payment.protocol.signing import MessageSigner
from paycore.payment.protocol.wire import Link, LinkError, Reply

logger = logging.getLogger("paycore.notifier")
WORKERS = 16
"""Deliveries in flight at once, over all destinations."""
PER_DESTINATION = 2
"""Deliveries in flight at once to one destination: a dead endpoint holds at most this many workers."""
PASS_TIMEOUT = 120.0
"""How long :meth:`Notifier.deliver_due` waits for its pass before reporting what finished."""
LEASE_SECONDS = 60.0
"""How long a notifier holds the messages it took: other notifiers (other workers) skip them meanwhile.

Long enough for a pass to work through its messages; a worker that crashes mid-pass delays its
messages this long, then another worker delivers them."""

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
PAYCORE_FORMAT = "paycore/1"


@dataclass(frozen=True)
class OutboxMessage:
    """One queued notification: where it goes, its exact body, and how often it was tried."""

    event_id: str
    url: str
    body: bytes
    attempts: int
    format: str = PAYCORE_FORMAT
    merchant_id: str = ""
    lease: float | None = None
    """Until when this notifier holds the message (the store's ``leased_until`` when it handed it out)."""


class NotificationFormat(Protocol):
    """How a platform dialect sends its notifications: signing, encoding, acknowledgement, schedule."""

    schedule: tuple[int, ...]
    """Seconds to wait after each failed attempt, as :data:`RETRY_SCHEDULE`."""

    def prepare(self, message: OutboxMessage, now: int) -> tuple[dict[str, str], bytes]:
        """The headers and body of one attempt, signed afresh."""
        ...

    def accepted(self, reply: Reply) -> bool:
        """Whether the merchant's reply acknowledges the notification."""
        ...


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
        self,
        event_id: str,
        *,
        state: str,
        attempts: int,
        result: str,
        now: float,
        retry_at: float | None,
        lease: float | None = None,
    ) -> None:
        """Record one attempt's outcome, only if it is still that attempt and (``lease``) still our lease."""
        ...

    def pending_messages(self) -> list[dict]: ...

    def parked_messages(self) -> list[dict]: ...

    def retry_parked(self, event_id: str | None, now: float) -> int: ...


def next_attempt(attempts: int, now: float, schedule: tuple[int, ...] = RETRY_SCHEDULE) -> float | None:
    """When to try again after ``attempts`` failed attempts; ``None`` once the schedule is spent.

    >>> next_attempt(1, now=0), next_attempt(len(RETRY_SCHEDULE), now=0), next_attempt(16, now=0)
    (15, 21600, None)
    """
    if attempts > len(schedule):
        return None
    return now + schedule[attempts - 1]


def destination(url: str) -> str:
    """The lane a message travels in: its URL's scheme, host and port.

    >>> destination("http://127.0.0.1:8001/paycore/notify")
    'http://127.0.0.1:8001'
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # unparseable ("http://[::1/x"): a lane of its own; its delivery parks it
        return url.lower()
    return f"{parts.scheme}://{parts.netloc}".lower()


def signed_target(url: str) -> str:
    """What a notification's signature covers: the path and query of its URL, exactly as sent."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class Notifier:
    """Delivers due outbox messages over a link (real HTTP or in process), concurrently by destination.

    :meth:`dispatch` starts the deliveries that are due and returns at once (``paycore serve`` calls
    it every second); :meth:`deliver_due` does the same and waits, reporting what happened (tests,
    tours, notebooks). Several notifiers may share one gateway database (one per worker process):
    the store *leases* the messages it hands out (:data:`LEASE_SECONDS`), so each message is
    delivered by one notifier at a time.
    """

    def __init__(
        self,
        store: Mailroom,
        signer: MessageSigner,
        link: Link,
        clock: Clock,
        *,
        workers: int = WORKERS,
        per_destination: int = PER_DESTINATION,
        formats: dict[str, NotificationFormat] | None = None,
    ) -> None:
        self.store = store
        self.signer = signer
        self.link = link
        self.clock = clock
        self.formats = dict(formats or {})
        """The dialects' notification formats by name, beside ``paycore/1``."""
        self._lanes: Lanes[OutboxMessage, tuple[str, str]] = Lanes(
            self._deliver, workers=workers, per_lane=per_destination, name="notify"
        )

    def _attempt(self, message: OutboxMessage) -> tuple[str, str]:
        """One delivery attempt: ``("delivered" | "failed" | "unreachable", what happened)``; never raises."""
        dialect = self.formats.get(message.format)
        if message.format != PAYCORE_FORMAT and dialect is None:
            return "failed", f"no notifier for the format {message.format!r}"
        try:
            target = signed_target(message.url)
        except ValueError:
            return "unreachable", f"POST {message.url!r}: the URL cannot be parsed"
        try:
            if dialect is None:
                body = message.body
                headers = {
                    "Content-Type": "application/json",
                    **self.signer.sign_request("POST", target, body, timestamp=int(self.clock.now())),
                }
            else:
                headers, body = dialect.prepare(message, int(self.clock.now()))
            reply = self.link.request("POST", message.url, headers, body)
            status = reply.status  # inside the try: a garbage reply is a failure too
            accepted = dialect.accepted(reply) if dialect is not None else 200 <= status < 300
        except LinkError as exc:
            return ("unreachable" if exc.permanent else "failed"), str(exc)
        except Exception as exc:  # whatever a merchant's endpoint makes happen, it ends here
            return "failed", f"{type(exc).__name__} while delivering"
        return ("delivered" if accepted else "failed"), f"HTTP {status}"

    def _deliver(self, message: OutboxMessage) -> tuple[str, str]:
        """Attempt, then record the outcome and the next attempt; ``(event id, state)``. Never raises."""
        outcome, result = self._attempt(message)
        now = self.clock.now()
        attempts = message.attempts + 1
        dialect = self.formats.get(message.format)
        schedule = dialect.schedule if dialect is not None else RETRY_SCHEDULE
        retry_at = next_attempt(attempts, now, schedule) if outcome == "failed" else None
        state = "delivered" if outcome == "delivered" else ("pending" if retry_at is not None else "dead")
        try:
            self.store.record_delivery(
                message.event_id,
                state=state,
                attempts=attempts,
                result=result,
                now=now,
                retry_at=retry_at,
                lease=message.lease,
            )
        except Exception as exc:  # a full disk, say: the message stays due and is tried again
            logger.error("could not record the delivery of %s: %s", message.event_id, type(exc).__name__)
            return message.event_id, "unrecorded"
        return message.event_id, state

    def dispatch(self, limit: int = 100) -> list:
        """Start delivering every message due now that is not already on its way; the futures."""
        due = self.store.due_messages(self.clock.now(), limit)
        return [self._lanes.submit(destination(message.url), message.event_id, message) for message in due]

    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        """Try every message that is due now, concurrently by destination; return what happened to each."""
        futures = self.dispatch(limit)
        wait(futures, timeout=PASS_TIMEOUT)
        outcome: dict[str, list[str]] = {"delivered": [], "pending": [], "dead": []}
        for future in futures:
            if future.done() and not future.cancelled() and future.exception() is None:
                event_id, state = future.result()
                outcome.get(state, outcome["pending"]).append(event_id)
        return DeliveryReport(*(tuple(outcome[name]) for name in ("delivered", "pending", "dead")))

    def pending(self) -> list[dict]:
        """The undelivered messages still on their schedule, for inspection."""
        return self.store.pending_messages()

    def parked(self) -> list[dict]:
        """The dead-letter queue: messages whose schedule ran out, or whose URL can never be reached."""
        return self.store.parked_messages()

    def retry_parked(self, event_id: str | None = None) -> int:
        """Put parked messages (one, or all) back on the schedule, due now; how many were moved."""
        return self.store.retry_parked(event_id, self.clock.now())

    def close(self) -> None:
        """Stop delivering; what was not delivered stays in the outbox for the next start."""
        self._lanes.close()
