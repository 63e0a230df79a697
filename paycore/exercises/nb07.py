"""Checkers for notebook 07 (attacks on the protocol)."""

from __future__ import annotations

import json

from paycore.exercises.core import Wrong, exercise, integer, shown
from paycore.payment.protocol.replay import WINDOW_SECONDS

START = 1_764_201_600


@exercise(
    "07.1",
    "a two-sided time window",
    level=1,
    answer="in_window",
    hint="abs(now - timestamp) <= 300: too old and too far in the future are both refused.",
)
def _window(answer: object) -> None:
    if not callable(answer):
        raise Wrong("in_window should be a function of (timestamp, now) returning True or False")
    for skew, expected in (
        (0, True),
        (300, True),
        (-300, True),
        (301, False),
        (-301, False),
        (3600, False),
        (-3600, False),
    ):
        got = answer(START, START + skew)
        if bool(got) is not expected:
            when = f"{abs(skew)} s {'after' if skew > 0 else 'before'}"
            raise Wrong(
                f"in_window(t, now) with now {when} t returned {shown(got)}; "
                f"the window is {WINDOW_SECONDS} s "
                "on each side, edges included"
                + (" -- a future timestamp must be refused too" if skew < -300 else "")
            )


@exercise(
    "07.2",
    "how long to remember a nonce",
    level=2,
    answer="remember_until",
    hint="A request stays acceptable until timestamp + 300; forgetting its nonce earlier reopens a replay.",
)
def _remember(answer: object) -> None:
    if not callable(answer):
        raise Wrong("remember_until should be a function of (timestamp, arrival) returning a time")
    for timestamp, arrival in (
        (START, START),
        (START + 200, START),
        (START + 3600, START),
        (START, START + 250),
    ):
        until = integer(
            answer(timestamp, arrival),
            "remember_until(timestamp, arrival)",
            why="paycore's timestamps are whole seconds, written as digits into the signed string",
        )
        if until < timestamp + WINDOW_SECONDS:
            raise Wrong(
                f"a request stamped t+{timestamp - START} arriving at t+{arrival - START}: you forget its "
                f"nonce at t+{shown(until - START)}, "
                f"but the window accepts it until t+{timestamp + 300 - START}"
                " -- a replay in between is charged again (attack 18)"
            )
        if until > max(timestamp, arrival) + WINDOW_SECONDS:
            raise Wrong(
                f"remembering until t+{shown(until - START)} is longer than needed: after "
                f"t+{timestamp + 300 - START} the window refuses the request anyway"
            )


@exercise(
    "07.3",
    "verify a notification like the real merchant",
    level=3,
    answer="verify_notification",
    hint="Parse SignedHeaders, insist on the gateway's key id, verify the canonical request string with "
    "the gateway's public key, check the window -- and only then json.loads the body.",
)
def _verify(answer: object) -> None:
    from paycore import secure
    from paycore.payment.protocol.signing import MessageSigner

    if not callable(answer):
        raise Wrong("verify_notification should be a function of (path, headers, body, gateway_key, now)")
    gateway, attacker = _exercise_keys()
    path, body = "/paycore/notify", json.dumps({"event_id": "evt_1", "type": "payment.succeeded"}).encode()
    good = MessageSigner(gateway).sign_request("POST", path, body, timestamp=START)
    event = answer(path, good, body, gateway.public_key(), START + 10)
    if not isinstance(event, dict) or event.get("event_id") != "evt_1":
        raise Wrong(f"a genuine notification should give back its parsed JSON, got {shown(event)}")
    forged = MessageSigner(attacker).sign_request("POST", path, body, timestamp=START)
    claimed = {**forged, "Paycore-Key-Id": secure.key_id(gateway)}
    cases = [
        ("an unsigned notification", {}, body, START),
        ("a notification signed with the attacker's key", forged, body, START),
        ("the attacker's signature claiming the gateway's key id", claimed, body, START),
        ("a genuine signature over another body", good, body.replace(b"evt_1", b"evt_2"), START),
        ("a genuine notification an hour late", good, body, START + 3600),
        ("a genuine notification dated an hour ahead", good, body, START - 3600),
    ]
    for what, headers, data, now in cases:
        try:
            result = answer(path, headers, data, gateway.public_key(), now)
        except Exception:  # any exception is a refusal here
            continue
        raise Wrong(f"{what} was accepted (returned {shown(result)}); it must raise")


def _exercise_keys():
    """Two RSA-2048 keys, made once per session (key generation is the slow part)."""
    from paycore import secure

    if not hasattr(_exercise_keys, "pair"):
        _exercise_keys.pair = (secure.generate_private_key(), secure.generate_private_key())
    return _exercise_keys.pair
