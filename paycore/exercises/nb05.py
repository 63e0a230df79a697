"""Checkers for notebook 05 (the payment flow: canonical strings, the gateway's checks, step 3.6).

The payment package (FastAPI and all) is imported inside the checkers, so that looking up any
exercise stays quick.
"""

from __future__ import annotations

import hashlib
import json

from paycore.exercises.core import Wrong, exercise, shown
from paycore.exercises.keys import exercise_key

START = 1_764_201_600  # the notebook's FakeClock start, 2025-11-27 00:00:00 UTC
NOTIFY_PATH = "/paycore/notify"
MERCHANT_ID = "M100001"

CANONICAL_CASES = (
    ("POST", "/v1/payments", 1764201600, "0123456789abcdef0123456789abcdef", b'{"amount":{"value":9980}}'),
    ("GET", "/v1/payments/A1-1", 1764201900, "n7Kq2xVb9TmR4cLw", b""),
    ("post", "/v1/refunds?dry_run=1", 1, "nonce-nonce-nonce", "龙井茶".encode()),
)


@exercise(
    "05.1",
    "the canonical request string",
    level=1,
    answer="my_canonical_request",
    hint="Five lines, each ending in \\n: METHOD (upper case), path, timestamp, nonce, "
    "hashlib.sha256(body).hexdigest(); then .encode().",
)
def _canonical(answer: object) -> None:
    from paycore.payment.protocol.signing import canonical_request

    if not callable(answer):
        raise Wrong("my_canonical_request should be a function of (method, path, timestamp, nonce, body)")
    for method, path, timestamp, nonce, body in CANONICAL_CASES:
        expected = canonical_request(method, path, timestamp, nonce, body)
        got = answer(method, path, timestamp, nonce, body)
        if got == expected:
            continue
        call = f"my_canonical_request({method!r}, {path!r}, {timestamp}, ..., {body[:12]!r})"
        if isinstance(got, str):
            raise Wrong(f"{call} returned a str: a signature covers bytes, so .encode() it")
        if not isinstance(got, bytes):
            raise Wrong(f"{call} returned a {type(got).__name__}; return the bytes to sign")
        if got == expected[:-1]:
            raise Wrong(f"{call} lacks the final \\n: every line ends in \\n, the last one too")
        lines = got.split(b"\n")
        want = expected.split(b"\n")
        if len(lines) != len(want):
            raise Wrong(
                f"{call} has {len(lines) - 1} line ends, not 5: method, path, timestamp, nonce and body "
                "hash, each followed by \\n"
            )
        names = ("method", "path", "timestamp", "nonce", "body hash")
        for name, mine, right in zip(names, lines, want, strict=True):
            if mine == right:
                continue
            if name == "method" and mine.upper() == right:
                raise Wrong(f"{call}: the method line must be upper case ({right.decode()})")
            if name == "body hash" and mine == body:
                raise Wrong(f"{call}: line 5 is the SHA-256 of the body, not the body itself")
            if name == "body hash" and mine.lower() == right:
                raise Wrong(f"{call}: write the body hash in lower-case hex (.hexdigest())")
            if name == "body hash" and mine == hashlib.sha256(body).digest():
                raise Wrong(f"{call}: line 5 is the hash as hex digits, not raw bytes (.hexdigest())")
            raise Wrong(f"{call}: the {name} line is {shown(mine)}, expected {shown(right, 70)}")
        raise Wrong(f"{call} returned {shown(got)}, which is not the canonical string")


SCENARIOS = {
    "replayed": "the captured request, sent again unchanged a minute later",
    "amount changed": "the captured request with its amount changed from 9980 to 1",
    "stranger's key": "a fresh request signed with the attacker's own key",
    "signed with RSA2": "a fresh request signed by the merchant's key, but with RSA2 instead of PSS",
    "idempotency key reused": "the merchant's next request, for another order, sent with key-A1-1",
    "card of another order": "a fresh request for order A3-1 carrying the payer envelope sealed for A1-1",
    "replayed 10 minutes later": "the captured request, sent again unchanged ten minutes later",
}

CHECK_ORDER = (
    "UNKNOWN_KEY",
    "UNSUPPORTED_ALGORITHM",
    "INVALID_SIGNATURE",
    "TIMESTAMP_OUT_OF_WINDOW",
    "IDEMPOTENCY_KEY_REQUIRED",
    "REPLAYED_NONCE",
    "IDEMPOTENCY_KEY_REUSED",
    "INVALID_REQUEST",
    "MERCHANT_MISMATCH",
    "PAYER_UNREADABLE",
    "DUPLICATE_OUT_TRADE_NO",
)


def _gateway_answers() -> dict[str, str]:
    """Run every scenario against a real gateway and return the code each one is refused with."""
    from paycore.payment import Card, FakeClock, Money, build_world
    from paycore.payment.protocol import PAYMENTS_PATH
    from paycore.payment.protocol.signing import MessageSigner

    clock = FakeClock(START)
    world = build_world(
        clock=clock, merchant_key=exercise_key("merchant"), gateway_key=exercise_key("gateway")
    )
    merchant, gateway = world.merchant, world.gateway
    card = Card("4111111111111111", "12/30", "123")

    def request(out_trade_no: str) -> bytes:
        return merchant.build_payment_request(out_trade_no, Money(9980, "CNY"), card, description="tea")

    def send(body: bytes, *, signer=merchant.signer, key: str = "key-A1-1", headers=None) -> str:
        headers = headers or {
            "Idempotency-Key": key,
            **signer.sign_request("POST", PAYMENTS_PATH, body, timestamp=int(clock.now())),
        }
        response = gateway.handle_payment(headers, body)
        return json.loads(response.body).get("error", {}).get("code", "accepted")

    try:
        captured = request("A1-1")
        captured_headers = {
            "Idempotency-Key": "key-A1-1",
            **merchant.signer.sign_request("POST", PAYMENTS_PATH, captured, timestamp=START),
        }
        if send(captured, headers=captured_headers) != "accepted":
            raise RuntimeError("the exercise's own payment was refused; please report this")
        clock.advance(60)
        other = json.loads(request("A3-1"))
        other["payer"] = json.loads(captured)["payer"]
        answers = {
            "replayed": send(captured, headers=captured_headers),
            "amount changed": send(captured.replace(b'"value":9980', b'"value":1'), headers=captured_headers),
            "stranger's key": send(
                request("A2-1"), signer=MessageSigner(exercise_key("stranger")), key="key-A2-1"
            ),
            "signed with RSA2": send(
                request("A2-1"), signer=MessageSigner(exercise_key("merchant"), "RSA2"), key="key-A2-1"
            ),
            "idempotency key reused": send(request("A2-1")),
            "card of another order": send(json.dumps(other, separators=(",", ":")).encode(), key="key-A3-1"),
        }
        clock.advance(540)
        answers["replayed 10 minutes later"] = send(captured, headers=captured_headers)
        return answers
    finally:
        world.close()


@exercise(
    "05.2",
    "predict which check refuses each request",
    level=2,
    answer="refusals",
    hint="Walk the gateway's checks in order -- key id, algorithm, signature, timestamp window, "
    "Idempotency-Key present, nonce, Idempotency-Key reuse, body, envelope -- and stop at the first "
    "that fails. A changed byte breaks the signature before anything else looks at it.",
)
def _refusals(answer: object) -> None:
    if not isinstance(answer, dict):
        raise Wrong("refusals should be a dict from each scenario to an error code such as 'REPLAYED_NONCE'")
    missing = [name for name in SCENARIOS if name not in answer]
    if missing:
        raise Wrong(f"refusals has no entry for {missing[0]!r}: keep every key of the dict you were given")
    for name in SCENARIOS:
        if answer[name] is Ellipsis:
            raise Wrong(f"refusals[{name!r}] is still `...`: write the error code you expect")
    truth = _gateway_answers()
    for name, description in SCENARIOS.items():
        guess, right = answer[name], truth[name]
        if guess == right:
            continue
        if not isinstance(guess, str) or guess.upper() not in CHECK_ORDER:
            raise Wrong(
                f"refusals[{name!r}] = {shown(guess, 24)} is not an error code of the gateway's, such as "
                "INVALID_SIGNATURE (docs/PROTOCOL.md, section 14, lists them all)"
            )
        if guess.upper() == right:
            raise Wrong(f"refusals[{name!r}]: the codes are written in upper case, {right}")
        if CHECK_ORDER.index(guess) > CHECK_ORDER.index(right):
            raise Wrong(
                f"refusals[{name!r}] = {shown(guess)}, but an earlier check already refuses {description}: "
                "the gateway stops at the first check that fails"
            )
        raise Wrong(
            f"refusals[{name!r}] = {shown(guess)}, but {description} passes that check; "
            "which later one fails?"
        )


ORDER = {"out_trade_no": "A1-1", "amount": 9980, "currency": "CNY"}


def _payment(**changes) -> dict:
    payment = {
        "payment_id": "pay_7f3a",
        "merchant_id": MERCHANT_ID,
        "out_trade_no": "A1-1",
        "status": "SUCCEEDED",
        "amount": {"value": 9980, "currency": "CNY"},
    }
    for name, value in changes.items():
        if name in ("value", "currency"):
            payment["amount"] = {**payment["amount"], name: value}
        else:
            payment[name] = value
    return payment


RECHECK_CASES = (  # (what, payment, expected, why)
    ("a matching success", _payment(), "PAID", None),
    ("a matching failure", _payment(status="FAILED"), "FAILED", None),
    (
        "a result for another order",
        _payment(out_trade_no="B7-1"),
        "ORDER_NOT_FOUND",
        "the result must name this order's out_trade_no",
    ),
    (
        "a result for another merchant",
        _payment(merchant_id="M100002"),
        "MERCHANT_MISMATCH",
        f"our merchant id is {MERCHANT_ID}",
    ),
    (
        "a success for 1 fen",
        _payment(value=1),
        "AMOUNT_MISMATCH",
        "the amount must be the order's, to the fen",
    ),
    (
        "a success for 9980 USD",
        _payment(currency="USD"),
        "AMOUNT_MISMATCH",
        "9980 fen and 9980 cents are different money: compare the currency too",
    ),
    (
        "a success whose amount is 9980.0",
        _payment(value=9980.0),
        "AMOUNT_MISMATCH",
        "9980.0 == 9980 is True in Python, but a float is not an amount: require an int (type(value) is int)",
    ),
    (
        "a success whose amount is '9980'",
        _payment(value="9980"),
        "AMOUNT_MISMATCH",
        "a string is not an amount",
    ),
    (
        "a failure for 1 fen",
        _payment(status="FAILED", value=1),
        "AMOUNT_MISMATCH",
        "re-check the amount before looking at the status: a result that does not match the order is "
        "never applied, whatever it says",
    ),
)


@exercise(
    "05.3",
    "the merchant's re-check of a payment result",
    level=2,
    answer="recheck",
    hint="Check in this order: out_trade_no (ORDER_NOT_FOUND), merchant_id (MERCHANT_MISMATCH), then amount "
    "value AND currency, with the value an int (AMOUNT_MISMATCH); only then return 'PAID' or 'FAILED'.",
)
def _recheck(answer: object) -> None:
    if not callable(answer):
        raise Wrong("recheck should be a function of (order, payment)")
    for what, payment, expected, why in RECHECK_CASES:
        got = answer(dict(ORDER), json.loads(json.dumps(payment)))
        if got == expected:
            continue
        if why is None:
            status = payment["status"]
            raise Wrong(
                f"recheck returned {shown(got)} for {what}: everything matches the order, so apply it -- "
                f"a {status} result moves the order to {expected}"
            )
        raise Wrong(f"recheck returned {shown(got)} for {what}, expected {expected!r}: {why}")


def _notifications():
    """(what, headers, body, should it be accepted) for exercise 05.4, signed with the fixed keys."""
    import base64

    from paycore.payment.protocol import PAYMENTS_PATH
    from paycore.payment.protocol.signing import MessageSigner

    gateway = MessageSigner(exercise_key("gateway"))
    body = json.dumps(
        {"event_id": "evt_1", "type": "payment.succeeded", "created_at": START, "data": _payment()},
        separators=(",", ":"),
    ).encode()

    def signed(*, signer=gateway, at: int = START - 30, path: str = NOTIFY_PATH, data: bytes = body) -> dict:
        return signer.sign_request("POST", path, data, timestamp=at)

    good = signed()
    stale = signed(at=START - 400)
    return [
        ("a genuine notification, 30 s old", good, body, True),
        ("a genuine notification exactly 300 s old", signed(at=START - 300), body, True),
        ("a genuine notification dated 300 s ahead", signed(at=START + 300), body, True),
        ("a genuine notification whose amount was then changed", good, body.replace(b"9980", b"1"), False),
        (
            "a notification signed with the merchant's key",
            signed(signer=MessageSigner(exercise_key("merchant"))),
            body,
            False,
        ),
        ("a notification signed 301 s ago", signed(at=START - 301), body, False),
        ("a notification dated 301 s ahead", signed(at=START + 301), body, False),
        (
            "a stale notification whose timestamp header was rewritten to now",
            {**stale, "Paycore-Timestamp": str(START)},
            body,
            False,
        ),
        ("a notification signed for the path /v1/payments", signed(path=PAYMENTS_PATH), body, False),
        (
            "a notification signed by the gateway's key with RSA2 (the gateway signs with PSS)",
            signed(signer=MessageSigner(exercise_key("gateway"), "RSA2")),
            body,
            False,
        ),
        (
            "a notification whose signature is not base64",
            {**good, "Paycore-Signature": "not base64!"},
            body,
            False,
        ),
        (
            "a notification without a signature header",
            {name: value for name, value in good.items() if name != "Paycore-Signature"},
            body,
            False,
        ),
        ("a notification whose timestamp is 'soon'", {**good, "Paycore-Timestamp": "soon"}, body, False),
        (
            "a notification whose signature is base64 of 256 zero bytes",
            {**good, "Paycore-Signature": base64.b64encode(bytes(256)).decode()},
            body,
            False,
        ),
    ]


WHY_REFUSE = {
    "changed": "the body's hash is in the canonical string: verify before you parse",
    "merchant": "only the gateway's public key may verify a notification",
    "301": "the window is 300 s on both sides",
    "rewritten": "the timestamp is in the canonical string: a rewritten one breaks the signature",
    "/v1/payments": f"the path is in the canonical string: rebuild it with {NOTIFY_PATH}",
    "RSA2": "pin the gateway's algorithm (RSA-PSS-SHA256); do not take the scheme from the message",
}


@exercise(
    "05.4",
    "verify a notification before you trust it",
    level=3,
    answer="verify_notification",
    hint="Rebuild canonical_request('POST', '/paycore/notify', timestamp, nonce, body) from the headers; "
    "secure.verify(gateway_public_key, canonical, base64.b64decode(signature), 'RSA-PSS-SHA256'); check "
    "abs(now - timestamp) <= 300; only then json.loads(body). Any failure -> return None.",
)
def _verify_notification(answer: object) -> None:
    if not callable(answer):
        raise Wrong("verify_notification should be a function of (gateway_public_key, headers, body, now)")
    public = exercise_key("gateway").public_key()
    for what, headers, body, accept in _notifications():
        try:
            got = answer(public, dict(headers), body, START)
        except NotImplementedError:
            raise
        except Exception as exc:
            name = (
                type(exc).__name__
                if type(exc).__module__ == "builtins"
                else f"{type(exc).__module__}.{type(exc).__name__}"
            )
            raise Wrong(
                f"verify_notification raised {name} for {what}: refuse a bad notification "
                "by returning None; a crash in a webhook handler is a 500, and the gateway retries it "
                "for a day"
            ) from None
        if accept and got is None:
            if "300 s" in what:
                raise Wrong(
                    f"verify_notification refused {what}: the window includes its edge, so refuse only "
                    "when abs(now - timestamp) > 300"
                )
            raise Wrong(
                f"verify_notification refused {what}: rebuild the canonical string from POST, "
                f"{NOTIFY_PATH}, the timestamp and nonce headers and the body; base64-decode the signature"
            )
        if accept and got != json.loads(body):
            raise Wrong(f"verify_notification returned {shown(got)} for {what}; return json.loads(body)")
        if not accept and got is not None:
            reason = next(
                (text for word, text in WHY_REFUSE.items() if word in what), "refuse it: return None"
            )
            raise Wrong(f"verify_notification accepted {what}: {reason}")
