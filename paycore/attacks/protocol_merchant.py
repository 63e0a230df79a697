"""Protocol attacks on the merchant's notification endpoint (16, 17, 20): "paid" is only a message.

A notification that says "order X is paid" makes the merchant ship goods. If the merchant does
not check who wrote it -- or checks with a key the message itself brought, or does not compare
the amount with its own order -- an attacker gets goods without paying. The real merchant pins
the gateway's key (by key id), verifies the exact bytes, and re-checks the amount and currency
against the order before changing anything.

Sources: CVE-2018-0114 (a JWT library trusting the key embedded in the token); Alipay's
"verify with the Alipay public key, not the app key" guidance; the classic e-commerce "pay 1
cent" notification attack.
"""

from __future__ import annotations

import base64
import json

from paycore import secure
from paycore.attacks.naive_parties import PRESENTED_KEY, NaiveMerchant, Refused
from paycore.attacks.protocol_common import AMOUNT, attacker_key, order_status, paying_order, real_world
from paycore.attacks.registry import Attack, register
from paycore.attacks.report import Outcome, Stopwatch, Work
from paycore.payment.errors import PaymentError
from paycore.payment.protocol.signing import MessageSigner
from paycore.payment.runtime.demo import MERCHANT_ID, NOTIFY_PATH
from paycore.payment.runtime.world import MERCHANT_URL

OUT_TRADE_NO = "LAB-ORDER-1"


def fake_event(out_trade_no: str, amount: int) -> bytes:
    """A ``payment.succeeded`` notification body, made up by whoever holds the pen."""
    return json.dumps(
        {
            "event_id": "evt_forged_0001",
            "type": "payment.succeeded",
            "created_at": 1_764_201_600,
            "data": {
                "payment_id": "pay_forged",
                "merchant_id": MERCHANT_ID,
                "out_trade_no": out_trade_no,
                "status": "SUCCEEDED",
                "amount": {"value": amount, "currency": "CNY"},
                "refunded": 0,
                "payer": {"type": "wallet", "display": "W-at***er"},
                "failure_code": None,
                "created_at": 1_764_201_600,
            },
        },
        separators=(",", ":"),
    ).encode()


def signed_headers(signer: MessageSigner, body: bytes, timestamp: int) -> dict[str, str]:
    """Signature headers for a notification POSTed to the merchant's notify path."""
    return {
        "Content-Type": "application/json",
        **signer.sign_request("POST", NOTIFY_PATH, body, timestamp=timestamp),
    }


def _naive_outcome(merchant: NaiveMerchant, headers: dict[str, str], body: bytes, target: str) -> Outcome:
    with Stopwatch() as watch:
        try:
            status = merchant.notify(NOTIFY_PATH, headers, body)
        except (Refused, PaymentError) as exc:
            status = f"refused ({exc})"
    return Outcome(
        target,
        status == "PAID",
        Work(queries=1, seconds=watch.seconds),
        f"the {AMOUNT}-fen order is now {status}",
    )


def _real_outcome(world, out_trade_no: str, attempts: list[tuple[dict[str, str], bytes]]) -> Outcome:
    results = []
    with Stopwatch() as watch:
        for headers, body in attempts:
            reply = world.network.request("POST", MERCHANT_URL + NOTIFY_PATH, headers, body)
            results.append(f"HTTP {reply.status} {json.loads(reply.body).get('error', {}).get('code', 'ok')}")
    status = order_status(world, out_trade_no)
    return Outcome(
        "paycore merchant",
        status == "PAID",
        Work(queries=len(attempts), seconds=watch.seconds),
        f"{'; '.join(results)}; the order stays {status}",
    )


# -- 16: a forged notification ---------------------------------------------------------------------
def forged_vulnerable() -> Outcome:
    with real_world() as world:
        merchant = NaiveMerchant(
            world.gateway.signer.private_key.public_key(),
            out_trade_no=OUT_TRADE_NO,
            amount=AMOUNT,
            verify="none",
        )
        body = fake_event(OUT_TRADE_NO, AMOUNT)
        return _naive_outcome(
            merchant,
            {"Content-Type": "application/json"},
            body,
            "merchant that does not verify notifications",
        )


def forged_production() -> Outcome:
    with real_world() as world:
        out_trade_no = paying_order(world)
        body = fake_event(out_trade_no, AMOUNT)
        stamp = int(world.clock.now())
        attempts = [
            ({"Content-Type": "application/json"}, body),  # no signature at all
            (signed_headers(MessageSigner(attacker_key()), body, stamp), body),
        ]  # the attacker's own key
        return _real_outcome(world, out_trade_no, attempts)


# -- 17: verifying with the wrong key --------------------------------------------------------------
def wrong_key_vulnerable() -> Outcome:
    with real_world() as world:
        merchant = NaiveMerchant(
            world.gateway.signer.private_key.public_key(),
            out_trade_no=OUT_TRADE_NO,
            amount=AMOUNT,
            verify="presented-key",
        )
        forger = attacker_key()
        body = fake_event(OUT_TRADE_NO, AMOUNT)
        headers = {
            **signed_headers(MessageSigner(forger), body, int(world.clock.now())),
            PRESENTED_KEY: base64.b64encode(secure.public_key_to_pem(forger)).decode(),
        }
        return _naive_outcome(
            merchant, headers, body, "merchant that verifies with the key the message brings"
        )


def wrong_key_production() -> Outcome:
    with real_world() as world:
        out_trade_no = paying_order(world)
        forger = attacker_key()
        body = fake_event(out_trade_no, AMOUNT)
        headers = {
            **signed_headers(MessageSigner(forger), body, int(world.clock.now())),
            PRESENTED_KEY: base64.b64encode(secure.public_key_to_pem(forger)).decode(),
        }
        claimed = {**headers, "Paycore-Key-Id": world.gateway.key_id}  # and claiming the gateway's key id
        return _real_outcome(world, out_trade_no, [(headers, body), (claimed, body)])


# -- 20: a notification for another amount -----------------------------------------------------------
def amount_vulnerable() -> Outcome:
    with real_world() as world:
        merchant = NaiveMerchant(
            world.gateway.signer.private_key.public_key(),
            out_trade_no=OUT_TRADE_NO,
            amount=AMOUNT,
            verify="pinned",
            recheck_amount=False,
        )
        body = fake_event(OUT_TRADE_NO, 1)  # the attacker really paid 1 fen for this order number
        headers = signed_headers(world.gateway.signer, body, int(world.clock.now()))
        return _naive_outcome(merchant, headers, body, "merchant that does not re-check the amount")


def amount_production() -> Outcome:
    with real_world() as world:
        out_trade_no = paying_order(world)
        body = fake_event(out_trade_no, 1)
        headers = signed_headers(world.gateway.signer, body, int(world.clock.now()))  # genuinely signed
        return _real_outcome(world, out_trade_no, [(headers, body)])


register(
    Attack(
        16,
        "forged-notification",
        "Forge a payment notification (unsigned, or signed by the attacker)",
        "the 'fake paid callback' attack on e-commerce notify URLs",
        "verify every notification with the gateway's pinned key before parsing it",
        forged_vulnerable,
        forged_production,
    )
)
register(
    Attack(
        17,
        "wrong-verification-key",
        "Get a notification verified with the attacker's own key",
        "CVE-2018-0114 (embedded-key trust); Alipay app key vs Alipay public key mix-ups",
        "pin the gateway's key id and key; never take the key from the message",
        wrong_key_vulnerable,
        wrong_key_production,
    )
)
register(
    Attack(
        20,
        "notification-amount-mismatch",
        "A genuine notification for another amount",
        "the 'pay 1 cent' attack on merchants that trust the notification's amount",
        "re-check amount and currency against the order; raise an alert, change nothing",
        amount_vulnerable,
        amount_production,
    )
)
