"""A locustfile for your own load runs against `paycore serve`: shoppers who create an order and pay it.

Start a server, then locust (headless here; drop --headless for its web UI on http://localhost:8089):

    .venv/bin/paycore serve --workers 2                       # merchant on :8001, gateway on :8002
    .venv/bin/locust -f benchmarks/locustfile.py --host http://127.0.0.1:8001 \
        --headless --users 32 --spawn-rate 32 --run-time 30s

Each shopper pays again as soon as its last payment finished (no think time: what the server can
do). Besides each request, locust reports the whole payment, both requests together, as
"FLOW create order + pay". Every payment charges 0.01 CNY to the demo card 4111 1111 1111 1111,
which holds 100,000.00 CNY. `paycore bench --suite load` runs the same shopper at 1, 8, 32 and 64
users, on SQLite and PostgreSQL, with 1 and 2 gateway workers, and reports the percentiles.
"""

from locust import FastHttpUser, constant, task

from paycore.bench.loadflow import pay_once


class Shopper(FastHttpUser):
    """One virtual user: creates an order and pays it with the demo card, over and over."""

    wait_time = constant(0)

    @task
    def create_order_and_pay(self) -> None:
        pay_once(self.client, self.environment.events)
