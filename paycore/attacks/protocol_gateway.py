"""Protocol attacks on the gateway (14, 15, 18, 19): a valid signature is not enough.

Each attacker here holds no key at all: only requests it recorded on the wire. Against a
gateway that checks signatures and nothing else, that is enough to charge a payer twice, to
change the amount, or to get a "paid" answer without paying. The real gateway adds what is
missing -- a signature over the exact body, a two-sided time window, a nonce store kept as long
as the window, and idempotency keys bound to a fingerprint of the request.

Sources: OWASP API Security Top 10 (2023); Stripe's idempotency design; WeChat Pay API v3
signature rules; CWE-294 (authentication bypass by capture-replay).
"""

from __future__ import annotations

import base64
import json
import uuid

from paycore import secure
from paycore.attacks.naive_parties import NaiveGateway, Refused
from paycore.attacks.protocol_common import (
    AMOUNT,
    PAYER_ACCOUNT,
    Captured,
    capture_payment,
    real_world,
    send,
)
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.payment.errors import PaymentError

HOUR = 3600


def _try(gateway: NaiveGateway, captured: Captured) -> dict | None:
    try:
        return gateway.pay(captured.headers, captured.body)
    except (Refused, PaymentError):
        return None


def _error_code(reply) -> str:
    return json.loads(reply.body).get("error", {}).get("code", "none")


# -- 14: replay -------------------------------------------------------------------------------------
def replay_vulnerable() -> Outcome:
    world = real_world()  # only to have the merchant sign a real request
    try:
        gateway = NaiveGateway(
            world.merchant.signer.private_key.public_key(), world.clock, window="none", nonce_memory=None
        )
        captured = capture_payment(world, "LAB-14-1")
        _try(gateway, captured)  # the genuine request
        with Stopwatch() as watch:
            _try(gateway, captured)  # the attacker sends the recording again
        return Outcome(
            "gateway that checks signatures only",
            gateway.charged == [AMOUNT, AMOUNT],
            Work(queries=1, seconds=watch.seconds),
            f"the payer was charged {len(gateway.charged)} times: {gateway.charged}",
        )
    finally:
        world.close()


def replay_production() -> Outcome:
    with real_world() as world:
        before = world.gateway.balance(PAYER_ACCOUNT)
        captured = capture_payment(world, "LAB-14-1")
        send(world, captured)
        with Stopwatch() as watch:
            reply = send(world, captured)
        charged = before - world.gateway.balance(PAYER_ACCOUNT)
        return Outcome(
            "paycore gateway",
            charged != AMOUNT,
            Work(queries=1, seconds=watch.seconds),
            f"the replay got HTTP {reply.status} {_error_code(reply)}; the payer was charged {charged} once",
        )


# -- 15: amount tampering ------------------------------------------------------------------------------
def _tamper_amount(captured: Captured, new_amount: int) -> Captured:
    document = json.loads(captured.body)
    document["amount"]["value"] = new_amount
    return Captured(captured.headers, json.dumps(document, separators=(",", ":")).encode())


def tampering_vulnerable() -> Outcome:
    with real_world() as world:
        merchant_key = world.merchant.signer.private_key
        gateway = NaiveGateway(merchant_key.public_key(), world.clock, signs="fields")
        captured = capture_payment(world, "LAB-15-1")
        fields_signature = secure.sign(merchant_key, b"M100001&LAB-15-1")  # this gateway's (bad) protocol
        captured = Captured({**captured.headers, "Paycore-Signature": _b64(fields_signature)}, captured.body)
        with Stopwatch() as watch:
            tampered = _tamper_amount(captured, 1)
        answer = _try(gateway, tampered)
        return Outcome(
            "gateway that signs merchant id and order number only",
            gateway.charged == [1],
            Work(queries=1, seconds=watch.seconds),
            f"the order of {AMOUNT} fen was answered {answer and answer['status']} for a charge of "
            f"{gateway.charged} fen",
        )


def tampering_production() -> Outcome:
    with real_world() as world:
        before = world.gateway.balance(PAYER_ACCOUNT)
        with Stopwatch() as watch:
            tampered = _tamper_amount(capture_payment(world, "LAB-15-1"), 1)
        reply = send(world, tampered)
        charged = before - world.gateway.balance(PAYER_ACCOUNT)
        return Outcome(
            "paycore gateway",
            reply.status == 200,
            Work(queries=1, seconds=watch.seconds),
            f"HTTP {reply.status} {_error_code(reply)}: the signature covers SHA-256 of the exact body; "
            f"charged {charged}",
        )


# -- 18: stale and future timestamps -------------------------------------------------------------------
def timestamps_vulnerable() -> Outcome:
    """A merchant's clock runs an hour fast; the gateway checks only the past, remembers nonces 5 minutes."""
    with real_world() as world:
        gateway = NaiveGateway(
            world.merchant.signer.private_key.public_key(),
            world.clock,
            window="past",
            nonce_memory=300,
            nonce_clock="arrival",
        )
        captured = capture_payment(world, "LAB-18-1", timestamp=int(world.clock.now()) + HOUR)
        _try(gateway, captured)
        world.clock.advance(600)  # the nonce is forgotten; the timestamp is still "not old"
        with Stopwatch() as watch:
            _try(gateway, captured)
        return Outcome(
            "gateway with a past-only window and 5-minute nonce memory",
            gateway.charged == [AMOUNT, AMOUNT],
            Work(queries=1, seconds=watch.seconds),
            f"a future-dated request replayed 10 minutes later was charged again: {gateway.charged}",
        )


def timestamps_production() -> Outcome:
    with real_world() as world:
        before = world.gateway.balance(PAYER_ACCOUNT)
        with Stopwatch() as watch:
            future = send(world, capture_payment(world, "LAB-18-1", timestamp=int(world.clock.now()) + HOUR))
            stale = send(world, capture_payment(world, "LAB-18-2", timestamp=int(world.clock.now()) - HOUR))
        charged = before - world.gateway.balance(PAYER_ACCOUNT)
        return Outcome(
            "paycore gateway",
            charged > 0,
            Work(queries=2, seconds=watch.seconds),
            f"future-dated: HTTP {future.status} {_error_code(future)}; stale: HTTP {stale.status} "
            f"{_error_code(stale)} (two-sided 300 s window); charged {charged}",
        )


# -- 19: one idempotency key, another amount -------------------------------------------------------------
def idempotency_vulnerable() -> Outcome:
    with real_world() as world:
        gateway = NaiveGateway(world.merchant.signer.private_key.public_key(), world.clock, idempotency="key")
        key = str(uuid.uuid4())
        _try(gateway, capture_payment(world, "LAB-19-1", 100, idempotency_key=key))  # 1 yuan, paid
        with Stopwatch() as watch:  # the same key on a 99,999-fen order: the old "SUCCEEDED" comes back
            answer = _try(gateway, capture_payment(world, "LAB-19-2", 99_999, idempotency_key=key))
        fooled = answer is not None and answer["status"] == "SUCCEEDED" and gateway.charged == [100]
        return Outcome(
            "gateway that keys idempotency on the key alone",
            fooled,
            Work(queries=1, seconds=watch.seconds),
            f"the 99,999-fen request got the stored answer {answer}; charged only {gateway.charged}",
        )


def idempotency_production() -> Outcome:
    with real_world() as world:
        key = str(uuid.uuid4())
        send(world, capture_payment(world, "LAB-19-1", 100, idempotency_key=key))
        with Stopwatch() as watch:
            reply = send(world, capture_payment(world, "LAB-19-2", 99_999, idempotency_key=key))
        return Outcome(
            "paycore gateway",
            reply.status == 200,
            Work(queries=1, seconds=watch.seconds),
            f"HTTP {reply.status} {_error_code(reply)}: the key is bound to a fingerprint of the request",
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


register(
    Attack(
        14,
        "replay",
        "Replay a captured, validly signed payment request",
        "CWE-294 capture-replay; WeChat Pay v3 and Stripe webhook timestamp rules",
        "a two-sided 300 s window plus a nonce store kept as long as the window",
        replay_vulnerable,
        replay_production,
    )
)
register(
    Attack(
        15,
        "amount-tampering",
        "Change the amount of a request in transit",
        "OWASP API Security Top 10 (2023); signing a subset of fields",
        "sign the exact body (its SHA-256 is in the canonical string); verify before parsing",
        tampering_vulnerable,
        tampering_production,
    )
)
register(
    Attack(
        18,
        "stale-and-future-timestamps",
        "Replay a stale or future-dated request",
        "clock-skew replay; SDKs that check only the past side of the window",
        "a two-sided window and nonces remembered for as long as a timestamp stays acceptable",
        timestamps_vulnerable,
        timestamps_production,
    )
)
register(
    Attack(
        19,
        "idempotency-key-reuse",
        "Reuse an idempotency key with a different amount",
        "Stripe API idempotency (key + request fingerprint); IETF draft Idempotency-Key header",
        "bind each key to a fingerprint of method, path and body; a different body is refused (422)",
        idempotency_vulnerable,
        idempotency_production,
    )
)
