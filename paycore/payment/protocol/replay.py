"""Freshness: a two-sided time window plus a store of the nonces seen inside it.

A captured, validly signed request could be sent again. Two checks stop that together:

* the timestamp must lie within :data:`WINDOW_SECONDS` of the receiver's clock *on both sides*
  (too old is a replay; too far in the future would let an attacker pre-record requests that
  outlive the nonce store -- many SDKs check only the past);
* each nonce is remembered for as long as its timestamp stays inside the window
  (:func:`nonce_expiry`), and a nonce seen twice is refused. Older entries may be forgotten: the
  window already rejects their messages.

Where the nonces are kept is the receiver's business: anything with ``remember_nonce`` is a
:class:`NonceStore` (both parties keep them in their own database, see their stores).
"""

from __future__ import annotations

from typing import Protocol

from paycore.payment.errors import ErrorCode, PaymentError

WINDOW_SECONDS = 300


class NonceStore(Protocol):
    """Where a receiver remembers the nonces it has accepted."""

    def remember_nonce(self, key_id: str, nonce: str, expires_at: float, now: float) -> bool:
        """Record ``(key_id, nonce)`` until ``expires_at``; ``False`` if it is already there.

        Entries that expired before ``now`` may be dropped on the way.
        """
        ...


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
            ErrorCode.TIMESTAMP_OUT_OF_WINDOW,
            f"timestamp is {skew:.0f} s old; the window is {window} s (replayed, or a clock is wrong)",
        )
    if -skew > window:
        raise PaymentError(
            ErrorCode.TIMESTAMP_OUT_OF_WINDOW,
            f"timestamp is {-skew:.0f} s in the future; the window is {window} s",
        )


def nonce_expiry(timestamp: int, now: float, window: int = WINDOW_SECONDS) -> float:
    """Until when a nonce must be remembered: as long as its message could still pass the window.

    A message stays acceptable until ``timestamp + window``, which lies in the future when the
    sender's clock runs fast; a message from a slow clock is remembered a full window from now.

    >>> nonce_expiry(1000, now=1100), nonce_expiry(1000, now=900)
    (1400, 1300)
    """
    return max(timestamp, now) + window


def remember(store: NonceStore, key_id: str, nonce: str, timestamp: int, now: float, window: int) -> None:
    """Record a nonce in ``store``; a ``REPLAYED_NONCE`` refusal if it was already used.

    Call after the signature and timestamp checks, so unsigned junk cannot fill the store.
    """
    if not store.remember_nonce(key_id, nonce, nonce_expiry(timestamp, now, window), now):
        raise PaymentError(ErrorCode.REPLAYED_NONCE, "this nonce was already used: the request is a replay")
