"""Crafting gateway requests by hand, as a merchant's SDK -- or an attacker -- would."""

import json
import uuid

from paycore.payment import Card, LineItem, Money
from paycore.payment.protocol import PAYMENTS_PATH
from paycore.payment.protocol.signing import MessageSigner
from paycore.payment.runtime.world import GATEWAY_URL

VISA = Card("4111111111111111", "12/30", "123")
LOW_BALANCE_VISA = Card("4000000000000002", "09/31", "123")
CNY_100 = Money(100, "CNY")


def signed_request(
    world,
    body: bytes,
    *,
    signer: MessageSigner | None = None,
    timestamp: int | None = None,
    idempotency_key: str | None = None,
    path: str = PAYMENTS_PATH,
    method: str = "POST",
) -> dict:
    """Headers for ``body``, signed by ``signer`` (the merchant's by default) at ``timestamp``."""
    signer = signer or world.merchant.signer
    stamp = int(world.clock.now()) if timestamp is None else timestamp
    headers = {"Content-Type": "application/json", **signer.sign_request(method, path, body, timestamp=stamp)}
    if method == "POST":
        headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
    return headers


def payment_body(world, out_trade_no: str, amount: Money = CNY_100, method=VISA) -> bytes:
    """A well-formed payment request from the demo merchant."""
    return world.merchant.build_payment_request(out_trade_no, amount, method, description="test")


def send(world, headers: dict, body: bytes, path: str = PAYMENTS_PATH, method: str = "POST"):
    """Deliver to the gateway; return the raw reply."""
    return world.network.request(method, GATEWAY_URL + path, headers, body)


def error_code(reply) -> str | None:
    """The stable error code of a rejection, or None for a success."""
    return json.loads(reply.body).get("error", {}).get("code")


def new_order(world, user: str = "alice", price: int = 100, currency: str = "CNY") -> dict:
    """Step 3.1 through the service."""
    return world.merchant.create_order(user, [LineItem("SKU-1", "Green tea", 1, price)], currency)


def ledger_entries(world) -> int:
    """How many ledger entries exist (a payment writes two)."""
    return world.gateway.db.query_one("SELECT COUNT(*) AS n FROM entries")["n"]


def has_a_message(refusal) -> bool:
    """Whether a refusal (a PaymentError or its JSON body) carries a non-empty sentence for people."""
    message = refusal["error"]["message"] if isinstance(refusal, dict) else refusal.message
    return isinstance(message, str) and bool(message.strip())


def rows(db, table: str) -> int:
    """How many rows one of a party's tables holds (``world.gateway.db``, ``store.db`` ...)."""
    return db.query_one(f"SELECT COUNT(*) FROM {table}")[0]


def payer_balance(world, card: Card = VISA, currency: str = "CNY") -> int:
    """The demo payer's balance at the (simulated) issuer."""
    return world.gateway.balance(world.gateway.issuer.account_of(card, currency))


class LossyLink:
    """Delivers requests but loses the replies of the first ``lose`` matching ones (the worst network failure:
    the gateway acted, the merchant never heard)."""

    def __init__(self, network, lose: int, path: str = "/v1/payments") -> None:
        self.network = network
        self.lose = lose
        self.path = path
        self.lost = 0

    def request(self, method, url, headers, body=b""):
        from paycore.payment.protocol.wire import LinkError

        reply = self.network.request(method, url, headers, body)
        if url.endswith(self.path) and self.lost < self.lose:
            self.lost += 1
            raise LinkError(f"{method} {url}: reply lost")
        return reply
