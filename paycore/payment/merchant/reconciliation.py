"""Reconciliation: settling the orders left in PAYING when no answer or notification came back.

The merchant asks the gateway, with a signed query, what became of the order's current attempt,
and applies the signed answer like any other result. "No such payment" (404) means the attempt
failed only once the last request can no longer be accepted: a window, plus a margin for the
gateway's clock, after it was signed -- until then it may still arrive. Section 11 of
``docs/PROTOCOL.md`` tells the whole rule.
"""

from __future__ import annotations

from paycore.payment.clock import Clock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant import results
from paycore.payment.merchant.client import GatewayClient, GatewayRefusal
from paycore.payment.merchant.store import MerchantStore, MerchantUnitOfWork
from paycore.payment.orders import OrderStatus

CLOCK_SKEW_MARGIN = 60
"""Seconds by which the gateway's clock may trail ours; added to the window before a 404 means "never"."""


class Reconciler:
    """Settles orders stuck in PAYING with signed queries."""

    def __init__(self, store: MerchantStore, client: GatewayClient, clock: Clock, merchant_id: str) -> None:
        self.store = store
        self.client = client
        self.clock = clock
        self.merchant_id = merchant_id

    def reconcile(self, older_than: int = 0) -> list[tuple[str, str]]:
        """Query the gateway about every order stuck in PAYING; return (order id, new status) pairs."""
        cutoff = int(self.clock.now()) - older_than
        return [(order_id, self._settle(order_id)) for order_id in self.store.paying_orders(cutoff)]

    def _settle(self, order_id: str) -> str:
        """Settle one order of the sweep; a refused answer (already an alert) leaves it PAYING.

        The sweep goes on, so one bad answer cannot keep every order after it waiting.
        """
        try:
            return self.reconcile_order(order_id)
        except PaymentError:
            return self.store.order(order_id).status.value

    def reconcile_order(self, order_id: str) -> str:
        """Ask the gateway what became of the order's current attempt, apply it, return the status."""
        order = self.store.order(order_id)
        if order is None or order.status is not OrderStatus.PAYING:
            return order.status.value if order else "UNKNOWN"
        try:
            payment = self.client.query(order.out_trade_no)
        except GatewayRefusal as refusal:
            if refusal.status == 404 and self._too_late(order.paying_since):
                self._never_received(order_id)
        except PaymentError as exc:  # unreachable, or an answer that failed its checks: try again later
            if exc.code not in (ErrorCode.GATEWAY_UNAVAILABLE, ErrorCode.GATEWAY_RESPONSE_INVALID):
                raise
        else:
            results.apply_payment_result(self.store, self.merchant_id, order_id, payment, self.clock.now())
        return self.store.order(order_id).status.value

    def _too_late(self, last_signed: int) -> bool:
        """Whether a request signed at ``last_signed`` can no longer be accepted by the gateway."""
        return self.clock.now() - last_signed > self.client.verifier.window + CLOCK_SKEW_MARGIN

    def _never_received(self, order_id: str) -> None:
        """The last request never arrived, and can no longer: the gateway would refuse it as stale."""

        def work(unit: MerchantUnitOfWork) -> None:
            current = unit.order(order_id)
            if current.status is OrderStatus.PAYING:
                results.move(unit, current, OrderStatus.FAILED, failure_code="NOT_RECEIVED")

        self.store.run(work)
