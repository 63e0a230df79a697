"""Idempotency keys: a retried request gets the first answer instead of a second payment.

Networks fail after the server has acted but before the client hears back, so clients retry.
The client sends an ``Idempotency-Key`` with each logical request; the server remembers the key
with a *fingerprint* of the request (SHA-256 of method, path and body) and the response:

* same key, same fingerprint, finished: replay the stored response (no second debit);
* same key, different fingerprint: refuse (``IDEMPOTENCY_KEY_REUSED``) -- a key names one request;
* same key while the first is still being processed: refuse with 409 (``REQUEST_IN_PROGRESS``),
  so the client retries later instead of racing it.

A claim left "in progress" by a crash is abandoned after :data:`STALE_AFTER_SECONDS`.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass

from paycore.payment import errors
from paycore.payment.errors import PaymentError

STALE_AFTER_SECONDS = 60
_KEY_FORMAT = re.compile(r"[A-Za-z0-9_.:-]{8,128}")

SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope       TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
    status      INTEGER,
    body        BLOB,
    claimed_at  REAL NOT NULL,
    PRIMARY KEY (scope, key)
);
"""


@dataclass(frozen=True)
class StoredResponse:
    """The answer given the first time: replayed verbatim (and freshly signed)."""

    status: int
    body: bytes


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 over the request's method, path and exact body bytes."""
    return hashlib.sha256(method.upper().encode() + b"\n" + path.encode() + b"\n" + body).hexdigest()


def check_key_format(key: str | None) -> str:
    """The key must be present and look like an id (a UUID fits)."""
    if key is None:
        raise PaymentError(
            errors.IDEMPOTENCY_KEY_REQUIRED, "send an Idempotency-Key header (a UUID) with this request"
        )
    if not _KEY_FORMAT.fullmatch(key):
        raise PaymentError(errors.INVALID_REQUEST, "Idempotency-Key must be 8-128 letters, digits or . _ : -")
    return key


def claim(
    connection: sqlite3.Connection, scope: str, key: str, request_fingerprint: str, now: float
) -> StoredResponse | None:
    """Claim ``key`` for this request; return the stored response if it was already answered."""
    row = connection.execute(
        "SELECT fingerprint, state, status, body, claimed_at FROM idempotency_keys "
        "WHERE scope = ? AND key = ?",
        (scope, key),
    ).fetchone()
    if row is None:
        connection.execute(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, state, claimed_at) "
            "VALUES (?, ?, ?, 'in_progress', ?)",
            (scope, key, request_fingerprint, now),
        )
        return None
    stored_fingerprint, state, status, body, claimed_at = row
    if stored_fingerprint != request_fingerprint:
        raise PaymentError(
            errors.IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was used for a different request; use a new key per request",
            422,
        )
    if state == "done":
        return StoredResponse(status, bytes(body))
    if now - claimed_at < STALE_AFTER_SECONDS:
        raise PaymentError(
            errors.REQUEST_IN_PROGRESS,
            "a request with this Idempotency-Key is still being processed; retry shortly",
            409,
        )
    connection.execute(
        "UPDATE idempotency_keys SET claimed_at = ? WHERE scope = ? AND key = ?", (now, scope, key)
    )
    return None


def complete(connection: sqlite3.Connection, scope: str, key: str, status: int, body: bytes) -> None:
    """Store the final response for ``key``."""
    connection.execute(
        "UPDATE idempotency_keys SET state = 'done', status = ?, body = ? WHERE scope = ? AND key = ?",
        (status, body, scope, key),
    )


def release(connection: sqlite3.Connection, scope: str, key: str) -> None:
    """Forget an unfinished claim (the request failed before acting), so a retry can run."""
    connection.execute(
        "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'in_progress'", (scope, key)
    )
