"""The web checkout at ``/shop``: the merchant's second face, for people with a browser.

The demo catalogue (:mod:`.catalogue`), a cart, an order (step 3.1), a card or a wallet and the
payment; the merchant's refusals (3.2) shown with their code and message; then the six steps of
*that* payment read from the wire log (:mod:`.steps`), and two buttons that replay and tamper
with the captured request. Server-rendered Jinja2 templates (:mod:`.pages`), English and Chinese
(:mod:`.labels`), one small script and one stylesheet served from ``/shop/static`` -- nothing loads
from another host, and there is no build step.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from paycore.payment.merchant.service import Merchant
from paycore.payment.merchant.shop.pages import Shop
from paycore.payment.merchant.shop.steps import WireRecords
from paycore.payment.protocol.wire import Link

STATIC = Path(__file__).parent / "static"


def install_shop(
    app: FastAPI, merchant: Merchant, *, wire_log: WireRecords | None = None, link: Link | None = None
) -> None:
    """Serve the checkout at ``/shop`` on the merchant's app.

    Without ``wire_log`` the pages work but cannot show the steps; without ``link`` the replay and
    tamper buttons are left out.
    """
    app.include_router(Shop(merchant, wire_log, link).router())
    app.mount("/shop/static", StaticFiles(directory=STATIC), name="shop-static")
