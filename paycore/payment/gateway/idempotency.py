"""Idempotency keys: a retried request gets the first answer instead of a second payment.

Networks fail after the server has acted but before the client hears back, so clients retry.
The client sends an ``Idempotency-Key`` with each logical request; the server remembers the key
with a *fingerprint* of the request (SHA-256 of method, path and body) and the response:

* same key, same fingerprint, finished: replay the stored response (no second debit);
* same key, different fingerprint: refuse (``IDEMPOTENCY_KEY_REUSED``) -- a key names one request;
* same key while the first is still being processed: refuse with 409 (``REQUEST_IN_PROGRESS``),
  so the client retries later instead of racing it.

A claim left "in progress" by a crash is abandoned after :data:`STALE_AFTER_SECONDS`. The
records live in the gateway's store; :func:`claim` works on its open transaction (a :class:`Claims`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Protocol

from paycore.payment.errors import ErrorCode, PaymentError

STALE_AFTER_SECONDS = 60
_KEY_FORMAT = re.compile(r"[A-Za-z0-9_.:-]{8,128}")


@dataclass(frozen=True)
class StoredResponse:
    """The answer given the first time: replayed verbatim (and freshly signed)."""

    status: int
    body: bytes


@dataclass(frozen=True)
class KeyRecord:
    """What the store holds for one key: the request's fingerprint, and its answer once done."""

    fingerprint: str
    done: bool
    claimed_at: float
    response: StoredResponse | None = None


class Claims(Protocol):
    """The idempotency records inside one open transaction of the gateway's store."""

    def idempotency_record(self, scope: str, key: str) -> KeyRecord | None: ...

    def insert_claim(self, scope: str, key: str, fingerprint: str, now: float) -> None: ...

    def retake_claim(self, scope: str, key: str, now: float) -> None: ...


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 over the request's method, path and exact body bytes."""
    return hashlib.sha256(method.upper().encode() + b"\n" + path.encode() + b"\n" + body).hexdigest()


def check_key_format(key: str | None) -> str:
    """The key must be present and look like an id (a UUID fits)."""
    if key is None:
        raise PaymentError(
            ErrorCode.IDEMPOTENCY_KEY_REQUIRED, "send an Idempotency-Key header (a UUID) with this request"
        )
    if not _KEY_FORMAT.fullmatch(key):
        raise PaymentError(
            ErrorCode.INVALID_REQUEST, "Idempotency-Key must be 8-128 letters, digits or . _ : -", status=400
        )
    return key


def claim(
    claims: Claims, scope: str, key: str, request_fingerprint: str, now: float
) -> StoredResponse | None:
    """Claim ``key`` for this request; return the stored response if it was already answered."""
    record = claims.idempotency_record(scope, key)
    if record is None:
        claims.insert_claim(scope, key, request_fingerprint, now)
        return None
    if record.fingerprint != request_fingerprint:
        raise PaymentError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was used for a different request; use a new key per request",
        )
    if record.done:
        return record.response
    if now - record.claimed_at < STALE_AFTER_SECONDS:
        raise PaymentError(
            ErrorCode.REQUEST_IN_PROGRESS,
            "a request with this Idempotency-Key is still being processed; retry shortly",
        )
    claims.retake_claim(scope, key, now)  # the first claimant crashed: this request takes over
    return None
