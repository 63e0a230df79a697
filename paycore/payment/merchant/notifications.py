"""Notifications from the gateway (3.5 -> 3.6): verify, deduplicate, re-check, apply, acknowledge.

A notification is signed like a request to the merchant's notify path. It is verified by the
protocol's one verifier against the gateway's pinned key, *before* its body is parsed; its nonce,
its deduplication by event id, the change to the order and the record of the event share one
commit. The gateway retries until it hears a 2xx, so a duplicate is acknowledged (and changes
nothing), while a refusal gets a 4xx whose code says why.
"""

from __future__ import annotations

from collections.abc import Mapping

from paycore.payment.clock import Clock
from paycore.payment.errors import PaymentError
from paycore.payment.merchant import results
from paycore.payment.merchant.store import MerchantStore, MerchantUnitOfWork
from paycore.payment.protocol import schemas
from paycore.payment.protocol.signing import MessageVerifier
from paycore.payment.protocol.wire import Headers, Reply, encode_json


class NotificationInbox:
    """The merchant's end of the gateway's notifications."""

    def __init__(
        self, store: MerchantStore, verifier: MessageVerifier, clock: Clock, merchant_id: str
    ) -> None:
        self.store = store
        self.verifier = verifier
        self.clock = clock
        self.merchant_id = merchant_id

    def handle(self, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Process one delivery; the answer the gateway will read (2xx: delivered, stop retrying)."""
        try:
            status, document = 200, self._receive(target, headers, body)
        except PaymentError as refusal:
            status, document = refusal.status, refusal.to_json()
        return Reply(status, Headers({"content-type": "application/json"}), encode_json(document))

    def _receive(self, target: str, headers: Mapping[str, str], body: bytes) -> dict:
        message = self.verifier.verify_request("POST", target, headers, body)
        event = schemas.parse(schemas.Event, body)
        is_payment = event.type.startswith("payment.")
        model = schemas.PaymentResource if is_payment else schemas.RefundResource
        data = schemas.validate(model, event.data, "notification data")
        now = self.clock.now()

        def work(unit: MerchantUnitOfWork) -> tuple[bool, results.Applied]:
            self.verifier.remember(message, unit)
            if unit.event_seen(event.event_id):
                return True, results.Applied()
            if is_payment:
                applied = results.apply_payment(unit, self.merchant_id, None, data, now)
            else:
                applied = results.apply_refund(unit, self.merchant_id, data)
            if applied.refusal is None:
                unit.record_event(event.event_id, event.type, now)
            return False, applied

        # one commit for nonce, dedup, change and record; not flushed: a lost one is re-delivered
        duplicate, applied = self.store.run(work, durable=False)
        if applied.refusal is not None:
            results.raise_with_alert(self.store, applied.refusal, now)
        return {"code": "SUCCESS", "duplicate": True} if duplicate else {"code": "SUCCESS"}
