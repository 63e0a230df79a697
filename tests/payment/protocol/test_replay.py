"""Freshness alone: the two-sided window, how long a nonce is kept, and remembering it once."""

import pytest

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.protocol import replay
from tests.payment.fakes import MemoryNonces


@pytest.mark.parametrize("skew", [0, 1, 299, 300, -1, -299, -300])
def test_inside_the_window_either_side_passes(skew):
    replay.check_timestamp(1000, now=1000 + skew)


@pytest.mark.parametrize(
    "skew, words", [(301, "301 s old"), (86400, "86400 s old"), (-301, "301 s in the future")]
)
def test_outside_the_window_either_side_is_refused_and_says_which_side(skew, words):
    with pytest.raises(PaymentError) as refusal:
        replay.check_timestamp(1000, now=1000 + skew)
    assert refusal.value.code is ErrorCode.TIMESTAMP_OUT_OF_WINDOW
    assert refusal.value.message.startswith(f"timestamp is {words}; the window is 300 s")


def test_the_window_can_be_narrowed():
    replay.check_timestamp(1000, now=1010, window=10)
    for now in (1011, 989):
        with pytest.raises(PaymentError, match="the window is 10 s"):
            replay.check_timestamp(1000, now=now, window=10)


def test_the_window_is_300_seconds():
    assert replay.WINDOW_SECONDS == 300


@pytest.mark.parametrize(
    "timestamp, now, expected",
    [
        (1000, 1000, 1300),  # on time: a full window
        (1000, 1250, 1550),  # an old message: a full window from now
        (1200, 1000, 1500),  # from a fast clock: acceptable until its own timestamp + window
    ],
)
def test_a_nonce_is_kept_while_its_message_could_still_pass(timestamp, now, expected):
    assert replay.nonce_expiry(timestamp, now) == expected
    assert replay.nonce_expiry(timestamp, now, window=5) == max(timestamp, now) + 5


def test_remember_accepts_a_nonce_once_per_key():
    nonces = MemoryNonces()
    replay.remember(nonces, "key-a", "n1" * 8, 1000, 1000, 300)
    replay.remember(nonces, "key-b", "n1" * 8, 1000, 1000, 300)  # another signer may use the same nonce
    with pytest.raises(PaymentError) as refusal:
        replay.remember(nonces, "key-a", "n1" * 8, 1000, 1010, 300)
    assert refusal.value.code is ErrorCode.REPLAYED_NONCE and "replay" in refusal.value.message
    assert nonces.seen[("key-a", "n1" * 8)] == 1300


def test_remember_passes_the_expiry_and_the_time_to_the_store():
    calls = []

    class Store:
        def remember_nonce(self, key_id, nonce, expires_at, now):
            calls.append((key_id, nonce, expires_at, now))
            return True

    replay.remember(Store(), "key-a", "nonce-0000000000", 1100, 1000, 60)
    assert calls == [("key-a", "nonce-0000000000", 1160, 1000)]
