"""Freshness: a two-sided time window plus a store of the nonces seen inside it.

A captured, validly signed request could be sent again. Two checks stop that together:

* the timestamp must lie within :data:`WINDOW_SECONDS` of the receiver's clock *on both sides*
  (too old is a replay; too far in the future would let an attacker pre-record requests that
  outlive the nonce store -- many SDKs check only the past);
* each nonce is remembered for as long as its timestamp stays inside the window, and a nonce seen
  twice is refused. Older entries are purged: the window already rejects their messages.
"""

from __future__ import annotations

import sqlite3

from paycore.payment import errors
from paycore.payment.errors import PaymentError

WINDOW_SECONDS = 300

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_nonces (
    key_id     TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX IF NOT EXISTS seen_nonces_expiry ON seen_nonces (expires_at);
"""


def check_timestamp(timestamp: int, now: float, window: int = WINDOW_SECONDS) -> None:
    """Refuse a timestamp more than ``window`` seconds away from ``now``, in either direction.

    >>> check_timestamp(1000, now=1200)
    >>> check_timestamp(1000, now=1301)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    paycore.payment.errors.PaymentError: timestamp is 301 s old; the window is 300 s ...
    """
    skew = now - timestamp
    if skew > window:
        raise PaymentError(
            errors.TIMESTAMP_OUT_OF_WINDOW,
            f"timestamp is {skew:.0f} s old; the window is {window} s (replayed, or a clock is wrong)",
            401,
        )
    if -skew > window:
        raise PaymentError(
            errors.TIMESTAMP_OUT_OF_WINDOW,
            f"timestamp is {-skew:.0f} s in the future; the window is {window} s",
            401,
        )


def remember_nonce(
    connection: sqlite3.Connection,
    key_id: str,
    nonce: str,
    timestamp: int,
    now: float,
    window: int = WINDOW_SECONDS,
) -> None:
    """Record ``nonce`` for ``key_id``; a ``REPLAYED_NONCE`` refusal if it was already used.

    Call after the signature and timestamp checks, so unsigned junk cannot fill the store.
    """
    connection.execute("DELETE FROM seen_nonces WHERE expires_at < ?", (now,))
    try:
        connection.execute(
            "INSERT INTO seen_nonces (key_id, nonce, expires_at) VALUES (?, ?, ?)",
            (key_id, nonce, max(timestamp, now) + window),
        )
    except sqlite3.IntegrityError:
        raise PaymentError(
            errors.REPLAYED_NONCE, "this nonce was already used: the request is a replay", 401
        ) from None
