"""What runs in each child process of ``paycore serve --workers N``: one party's app on the parent's socket.

A gateway worker builds the gateway (with WeChat Pay and Alipay) on its own connection to the
shared store and runs a notifier loop that leases from the shared outbox; the merchant's process
builds the merchant, keeps a wire log for the shop's six steps, and runs the store's housekeeping.
Every child reads the keys and secrets the parent made (:mod:`.workers`) and stops when its parent
is gone.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from paycore.tools.serve import LOOPBACK_ORIGINS, _deliver_forever

if TYPE_CHECKING:
    from paycore.tools.workers import Plan

logger = logging.getLogger("paycore.serve")


def _gateway_app(plan: Plan):
    """The gateway's app on its own store, and its notifier loop (started here, in this worker)."""
    from paycore import secure
    from paycore.payment.clock import SystemClock
    from paycore.payment.gateway.app import create_gateway_app
    from paycore.payment.runtime import datadir, sdk_credentials
    from paycore.payment.runtime.stores import open_party_store
    from paycore.payment.runtime.transport import NOTIFY_TIMEOUT, HttpLink
    from paycore.payment.runtime.world import wire_gateway

    data = Path(plan.data_dir)
    store = open_party_store("gateway", data, plan.database)
    gateway, notifier, dialects = wire_gateway(
        clock=SystemClock(),
        gateway_store=store,
        gateway_key=datadir.party_key(data, "gateway-signing")[0],
        gateway_encryption_key=datadir.party_key(data, "gateway-encryption")[0],
        merchant_public_key=secure.load_public_key_pem((data / "merchant.public.pem").read_bytes()),
        notify_link=HttpLink(timeout=NOTIFY_TIMEOUT),
        merchant_url=plan.merchant_url,
        token_secret=datadir.card_token_key(data),
        seed_payers=False,
        notify_origins=(*LOOPBACK_ORIGINS, plan.merchant_url),
        gateway_url=plan.gateway_url,
        dialect_keys=sdk_credentials.prepare(data).keys,  # made by the parent: read and checked here
    )
    stop = threading.Event()
    loop = threading.Thread(
        target=_deliver_forever, args=(notifier, stop, plan.deliver_every, (store,)), daemon=True
    )
    loop.start()
    return create_gateway_app(gateway, dialects.routers(), dialects.security_schemes())


def _merchant_app(plan: Plan):
    """The merchant's app on its own store, pinned to the gateway's public keys, and its housekeeping."""
    from paycore import secure
    from paycore.payment.clock import SystemClock
    from paycore.payment.merchant.app import create_merchant_app
    from paycore.payment.runtime import datadir
    from paycore.payment.runtime.demo import NOTIFY_PATH
    from paycore.payment.runtime.stores import open_party_store
    from paycore.payment.runtime.transport import HttpLink
    from paycore.payment.runtime.wirelog import RecordingLink, WireLog
    from paycore.payment.runtime.world import wire_merchant

    data = Path(plan.data_dir)
    store = open_party_store("merchant", data, plan.database)
    public = {
        name: secure.load_public_key_pem((data / f"{name}.public.pem").read_bytes())
        for name in ("gateway-signing", "gateway-encryption")
    }
    wire_log = WireLog()  # the merchant's side of each payment, for the shop's six steps
    link = RecordingLink(HttpLink(), wire_log)
    merchant, inbox = wire_merchant(
        clock=SystemClock(),
        merchant_store=store,
        merchant_key=datadir.party_key(data, "merchant")[0],
        gateway_public_key=public["gateway-signing"],
        gateway_encryption_public_key=public["gateway-encryption"],
        link=link,
        gateway_url=plan.gateway_url,
        merchant_url=plan.merchant_url,
        admin_token=datadir.admin_token(data),
    )
    threading.Thread(target=_housekeeping, args=(store,), daemon=True).start()
    return create_merchant_app(merchant, inbox, NOTIFY_PATH, wire_log=wire_log, link=link)


def _housekeeping(store) -> None:
    from paycore.tools.serve import HOUSEKEEPING_EVERY

    while True:
        time.sleep(HOUSEKEEPING_EVERY)
        try:
            store.prune(time.time())
        except Exception as exc:
            logger.error("housekeeping failed: %s; trying again", type(exc).__name__)


def _exit_with_parent(parent: int) -> None:
    """Stop this process (gracefully, then at once) if the parent that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def run_child(plan: Plan, role: str, sock: socket.socket, ready, parent: int) -> None:
    """A child process: one party's app under uvicorn on the socket the parent bound."""
    from paycore.tools.http_server import server

    logging.basicConfig(level=logging.WARNING, format=f"paycore serve ({role}): %(message)s")
    _exit_with_parent(parent)
    app = _gateway_app(plan) if role.startswith("gateway") else _merchant_app(plan)
    running = server(app, plan.host, sock.getsockname()[1])

    def report() -> None:
        while not running.started and not running.should_exit:
            time.sleep(0.02)
        ready.put(role)

    threading.Thread(target=report, daemon=True).start()
    running.run(sockets=[sock])
