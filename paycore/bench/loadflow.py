"""What one virtual user does, over and over: create an order, pay it, and time the two as one payment.

Shared by the ``load`` benchmark suite's load generator (:mod:`paycore.bench.loadgen`) and by
``benchmarks/locustfile.py``, the locustfile for your own runs. It imports nothing of locust
itself: ``client`` is a locust HTTP session (``self.client`` of a ``FastHttpUser`` or ``HttpUser``),
``events`` the environment's events, whose ``request`` hook receives the timing of the whole
payment under the name :data:`PAYMENT`.
"""

from __future__ import annotations

import time

PAYMENT = "create order + pay"
USER = {"X-User-Id": "load-user", "Content-Type": "application/json"}
ITEMS = [{"sku": "TEA-1", "name": "Longjing green tea", "quantity": 1, "unit_price": 1}]
CARD = {"type": "card", "number": "4111111111111111", "expiry": "12/30", "cvv": "123"}
"""The demo card holding 100,000.00 CNY: a million payments of 0.01 before it runs dry."""


def pay_once(client, events) -> bool:
    """One payment (two requests); reports it to ``events.request``; whether it ended PAID."""
    started = time.perf_counter()
    failure = None
    with client.post(
        "/orders",
        json={"items": ITEMS, "currency": "CNY"},
        headers=USER,
        name="POST /orders",
        catch_response=True,
    ) as created:
        if created.status_code != 201:
            failure = f"create order: HTTP {created.status_code}"
            created.failure(failure)
    if failure is None:
        order = created.json()
        with client.post(
            f"/orders/{order['order_id']}/pay",
            json={"amount": order["amount"], "method": CARD},
            headers=USER,
            name="POST /orders/{id}/pay",
            catch_response=True,
        ) as paid:
            status = paid.json().get("status") if paid.status_code == 200 else None
            if status != "PAID":
                failure = f"pay: HTTP {paid.status_code}, order {status}"
                paid.failure(failure)
    events.request.fire(
        request_type="FLOW",
        name=PAYMENT,
        response_time=(time.perf_counter() - started) * 1000,
        response_length=0,
        exception=RuntimeError(failure) if failure else None,
        context={},
    )
    return failure is None
