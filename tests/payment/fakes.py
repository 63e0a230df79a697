"""Small hand-written fakes for unit and service tests: a gateway on the wire, a notify endpoint, a mailroom.

:class:`FakeGatewayLink` is what a merchant test talks to instead of a gateway service: a
:class:`~paycore.payment.protocol.wire.Link` that checks the merchant's signature, keeps the
payments it took in a dict, and answers each request as ``paycore/1`` says -- signed with a gateway
key through :meth:`~paycore.payment.protocol.signing.MessageSigner.sign_response`, bound to the
request's nonce; like the real gateway it holds a second key pair, the one payer envelopes are
sealed to. Its attributes make it misbehave on demand (an answer for another merchant or
order or amount, a stale timestamp, no signature, another key, a refusal, a lost reply), so each of
the merchant's checks on an answer can be shown to matter without building the two-party world.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import errors as crypto_errors
from paycore import secure
from paycore.payment.clock import FakeClock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway.outbox import LEASE_SECONDS, OutboxMessage
from paycore.payment.methods import Card, method_from_json
from paycore.payment.protocol import NONCE, PAYMENTS_PATH, REFUNDS_PATH, envelope_context
from paycore.payment.protocol.signing import MessageSigner, MessageVerifier, PinnedKey
from paycore.payment.protocol.wire import Headers, LinkError, Reply, encode_json

FAKE_GATEWAY_URL = "http://gateway.fake.test"


@dataclass(frozen=True)
class Sent:
    """One request as the fake received it."""

    method: str
    url: str
    headers: Headers
    body: bytes

    @property
    def target(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


class MemoryNonces:
    """A :class:`~paycore.payment.protocol.replay.NonceStore` in a dict, expiry honoured as the stores do.

    A nonce is refused while it is live (its ``expires_at`` not yet before ``now``); an expired one
    is taken over in place. Nothing is deleted on the way (the stores leave that to their
    housekeeping, ``prune``).
    """

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], float] = {}

    def remember_nonce(self, key_id: str, nonce: str, expires_at: float, now: float) -> bool:
        until = self.seen.get((key_id, nonce))
        if until is not None and until >= now:
            return False
        self.seen[(key_id, nonce)] = expires_at
        return True


class FakeGatewayLink:
    """A gateway as the merchant's client sees it, answering on ``clock``; see the module docstring.

    Behaviour knobs (plain attributes, set them in a test):

    * ``decline``: a failure code; payments then come back ``FAILED`` with it;
    * ``refuse``: ``(status, code)``; requests are then refused, signed, with that error --
      every one, or the next ``refuse_for`` of them;
    * ``tamper``: fields that replace the payment resource's in every answer (``merchant_id``,
      ``out_trade_no``, ``amount`` ...); what the fake stored stays honest;
    * ``skew``: seconds added to the timestamp of every signed answer;
    * ``unsigned``: answers carry no signature headers;
    * ``sign_with``: another :class:`MessageSigner` signs the answers;
    * ``bind_to``: answers are signed for this request nonce instead of the real one;
    * ``lose_replies``: the next this-many requests are acted on, but their replies are lost;
    * ``unreachable``: every request fails as a refused connection would;
    * ``delay``: seconds each request takes on the fake clock (a slow or timing-out network).
    """

    def __init__(
        self,
        gateway_key: rsa.RSAPrivateKey,
        merchant_public_key: rsa.RSAPublicKey,
        clock: FakeClock,
        *,
        encryption_key: rsa.RSAPrivateKey,
        merchant_id: str = "M100001",
        merchant_algorithm: str = "RSA-PSS-SHA256",
    ) -> None:
        """``gateway_key`` signs the answers; payer envelopes open only with ``encryption_key``."""
        if secure.key_id(gateway_key) == secure.key_id(encryption_key):
            raise ValueError("the gateway's signing key and encryption key must be two different key pairs")
        self.gateway_key = gateway_key
        self.encryption_key = encryption_key
        self.signer = MessageSigner(gateway_key)
        self.clock = clock
        self.merchant_id = merchant_id
        self.verifier = MessageVerifier(
            PinnedKey(merchant_id, merchant_public_key, merchant_algorithm), clock
        )
        self.nonces = MemoryNonces()
        self.received: list[Sent] = []
        self.payments: dict[str, dict] = {}
        """The payments taken, by ``out_trade_no``."""
        self.answers: dict[str, tuple[int, dict]] = {}
        """Stored answers by ``Idempotency-Key``."""
        self.decline: str | None = None
        self.refuse: tuple[int, str] | None = None
        self.refuse_for: int | None = None
        self.tamper: dict = {}
        self.skew = 0
        self.unsigned = False
        self.sign_with: MessageSigner | None = None
        self.bind_to: str | None = None
        self.lose_replies = 0
        self.unreachable = False
        self.delay = 0.0

    # -- the link -----------------------------------------------------------------------------------
    def request(self, method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        sent = Sent(method, url, Headers(headers), body)
        self.received.append(sent)
        self.clock.advance(self.delay)
        if self.unreachable:
            raise LinkError(f"{method} {url}: connection refused")
        try:
            status, document = self._act(sent)
        except PaymentError as refusal:
            status, document = refusal.status, refusal.to_json()
        reply = self._answer(sent.headers.get(NONCE, "-"), status, document)
        if self.lose_replies:
            self.lose_replies -= 1
            raise LinkError(f"{method} {url}: reply lost")
        return reply

    def _act(self, sent: Sent) -> tuple[int, dict]:
        caller = self.verifier.verify_request(sent.method, sent.target, sent.headers, sent.body)
        self.verifier.remember(caller, self.nonces)
        if self.refuse is not None and self.refuse_for != 0:
            status, code = self.refuse
            if self.refuse_for is not None:
                self.refuse_for -= 1
            raise PaymentError(ErrorCode(code), "refused by the fake gateway", status=status)
        path = urlsplit(sent.url).path
        if sent.method == "POST" and path == PAYMENTS_PATH:
            return self._idempotent(sent, self._pay)
        if sent.method == "POST" and path == REFUNDS_PATH:
            return self._idempotent(sent, self._refund)
        if sent.method == "GET" and path.startswith(PAYMENTS_PATH + "/"):
            payment = self.payments.get(path.rsplit("/", 1)[1])
            if payment is None:
                raise PaymentError(ErrorCode.PAYMENT_NOT_FOUND, "no payment with this out_trade_no")
            return 200, {**payment, **self.tamper}
        raise PaymentError(ErrorCode.NOT_FOUND, "no such endpoint")

    def _idempotent(self, sent: Sent, action) -> tuple[int, dict]:
        key = sent.headers.get("Idempotency-Key")
        if key is None:
            raise PaymentError(ErrorCode.IDEMPOTENCY_KEY_REQUIRED, "send an Idempotency-Key")
        if key not in self.answers:
            self.answers[key] = action(json.loads(sent.body))
        return self.answers[key]

    def _pay(self, request: dict) -> tuple[int, dict]:
        if request["merchant_id"] != self.merchant_id:
            raise PaymentError(ErrorCode.MERCHANT_MISMATCH, "merchant_id is not the signer's")
        out_trade_no = request["out_trade_no"]
        if out_trade_no in self.payments:
            raise PaymentError(ErrorCode.DUPLICATE_OUT_TRADE_NO, "out_trade_no was already used")
        try:
            plaintext = secure.open_envelope(
                self.encryption_key,
                request["payer"],
                associated_data=envelope_context(self.merchant_id, out_trade_no),
            )
        except crypto_errors.DecryptionError:
            raise PaymentError(ErrorCode.PAYER_UNREADABLE, "the payer envelope does not open") from None
        method = method_from_json(json.loads(plaintext))
        payment = {
            "payment_id": f"pay_fake{len(self.payments) + 1:04d}",
            "merchant_id": self.merchant_id,
            "out_trade_no": out_trade_no,
            "status": "FAILED" if self.decline else "SUCCEEDED",
            "amount": request["amount"],
            "refunded": 0,
            "payer": {"type": "card" if isinstance(method, Card) else "wallet", "display": method.masked},
            "failure_code": self.decline,
            "created_at": int(self.clock.now()),
        }
        self.payments[out_trade_no] = payment
        return 200, {**payment, **self.tamper}

    def _refund(self, request: dict) -> tuple[int, dict]:
        payment = self.payments.get(request["out_trade_no"])
        if payment is None:
            raise PaymentError(ErrorCode.PAYMENT_NOT_FOUND, "no payment with this out_trade_no")
        value = request["amount"]["value"]
        if payment["status"] != "SUCCEEDED" or value > payment["amount"]["value"] - payment["refunded"]:
            raise PaymentError(ErrorCode.REFUND_NOT_ALLOWED, "refund exceeds what remains")
        payment["refunded"] += value
        return 200, {
            "refund_id": f"ref_fake{payment['refunded']}",
            "merchant_id": self.merchant_id,
            "out_refund_no": request["out_refund_no"],
            "out_trade_no": request["out_trade_no"],
            "status": "SUCCEEDED",
            "amount": request["amount"],
            "payment_refunded_total": payment["refunded"],
            "created_at": int(self.clock.now()),
        }

    def _answer(self, request_nonce: str, status: int, document: dict) -> Reply:
        body = encode_json(document)
        headers = {"Content-Type": "application/json"}
        if not self.unsigned:
            signer = self.sign_with or self.signer
            headers |= signer.sign_response(
                status, self.bind_to or request_nonce, body, timestamp=int(self.clock.now()) + self.skew
            )
        return Reply(status, Headers(headers), body)

    # -- for assertions ---------------------------------------------------------------------------
    def sent_to(self, path: str) -> list[Sent]:
        """The requests received for ``path`` (query string left out), in order."""
        return [sent for sent in self.received if urlsplit(sent.url).path == path]


class FakeNotifyEndpoint:
    """A merchant's notify URL as the notifier sees it: answers ``status`` (or fails), records deliveries."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.unreachable = False
        self.received: list[Sent] = []

    def request(self, method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        self.received.append(Sent(method, url, Headers(headers), body))
        if self.unreachable:
            raise LinkError(f"{method} {url}: connection refused")
        return Reply(self.status, Headers({"Content-Type": "application/json"}), b'{"code":"SUCCESS"}')


@dataclass
class MailroomEntry:
    """One outbox row as :class:`FakeMailroom` keeps it."""

    message: OutboxMessage
    state: str = "pending"
    next_attempt_at: float = 0.0
    leased_until: float | None = None
    results: list[str] = field(default_factory=list)
    retry_ats: list[float | None] = field(default_factory=list)


class FakeMailroom:
    """What the notifier needs of the gateway's store (an outbox ``Mailroom``), kept in a dict.

    It leases as the real stores do: a message handed out by :meth:`due_messages` is not handed out
    again until :data:`~paycore.payment.gateway.outbox.LEASE_SECONDS` have passed, and an outcome
    is recorded only for the attempt that was leased (``attempts`` one more than the stored count,
    the message still pending); any other outcome changes nothing.
    """

    def __init__(self) -> None:
        self.entries: dict[str, MailroomEntry] = {}
        self.limits: list[int] = []

    def add(self, event_id: str, url: str, body: bytes, *, due: float = 0.0) -> None:
        self.entries[event_id] = MailroomEntry(OutboxMessage(event_id, url, body, 0), next_attempt_at=due)

    def due_messages(self, now: float, limit: int) -> list[OutboxMessage]:
        self.limits.append(limit)
        due = [
            entry
            for entry in self.entries.values()
            if entry.state == "pending"
            and entry.next_attempt_at <= now
            and (entry.leased_until is None or entry.leased_until <= now)
        ]
        taken = sorted(due, key=lambda e: e.next_attempt_at)[:limit]
        for entry in taken:
            entry.leased_until = now + LEASE_SECONDS
        return [replace(entry.message, lease=entry.leased_until) for entry in taken]

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
        entry = self.entries[event_id]
        if entry.state != "pending" or entry.message.attempts != attempts - 1:
            return  # not the attempt that was leased
        if lease is not None and entry.leased_until != lease:
            return  # our lease expired and another notifier holds the message now
        entry.state = state
        entry.message = replace(entry.message, attempts=attempts)
        entry.leased_until = None
        entry.results.append(result)
        entry.retry_ats.append(retry_at)
        if retry_at is not None:
            entry.next_attempt_at = retry_at

    def pending_messages(self) -> list[dict]:
        return [
            {"event_id": event_id, "attempts": entry.message.attempts}
            for event_id, entry in self.entries.items()
            if entry.state == "pending"
        ]


class RecordingStore:
    """A party's store, noting whether each unit of work asked to be flushed to disk (``durable``)."""

    def __init__(self, inner):
        self.inner, self.durable = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def run(self, work, *, durable=True):
        self.durable.append(durable)
        return self.inner.run(work, durable=durable)
