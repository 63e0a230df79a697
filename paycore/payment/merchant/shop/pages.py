"""The checkout's pages: the catalogue and cart, an order and its payment, its six steps, the attacker.

Every page is rendered on the server from a template; forms post back as plain HTML forms, so the
shop works with the keyboard, a screen reader, or no JavaScript at all (the little script only
refreshes the steps until the gateway's notification is in). The shop is a client of the
merchant's own service: it calls the functions the API routes call, after parsing its forms with
the API's own models, so a refusal here is the API's refusal, with its code and message.

Who the shopper is and what a form says is :mod:`.forms`'s business. The replay and tamper
buttons send the order's captured payment request again through the merchant's link to the
gateway -- a teaching affordance of this demo, for the shopper's own order.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.merchant import models
from paycore.payment.merchant.service import Merchant
from paycore.payment.merchant.shop import steps
from paycore.payment.merchant.shop.catalogue import BY_SKU, CATALOGUE, Cart
from paycore.payment.merchant.shop.forms import Visit, form_fields, payment_from_form
from paycore.payment.merchant.shop.labels import HTML_LANG, translator
from paycore.payment.money import Money
from paycore.payment.orders import PAYABLE, OrderStatus
from paycore.payment.protocol.wire import Link, LinkError

TEMPLATES = Path(__file__).parent / "templates"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The shop's pages load only from this host, run no inline script, and post forms only here."""


def _money(value: int, currency: str) -> str:
    return str(Money(value, currency))


class Shop:
    """The pages, around the merchant's service, its wire log and its link to the gateway."""

    def __init__(self, merchant: Merchant, wire_log: steps.WireRecords | None, link: Link | None) -> None:
        self.merchant = merchant
        self.wire_log = wire_log
        self.link = link
        self.notify_path = urlsplit(merchant.notify_url).path
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        self.templates.env.globals.update(money=_money, when=steps.when, products=BY_SKU)

    # -- rendering ------------------------------------------------------------------------------------
    def page(
        self, request: Request, visit: Visit, name: str, here: str, status: int = 200, **context
    ) -> Response:
        response = self.templates.TemplateResponse(
            request,
            name,
            {
                "t": translator(visit.language),
                "lang": visit.language,
                "html_lang": HTML_LANG[visit.language],
                "here": here,
                "user": visit.user,
                "cart": visit.cart,
                **context,
            },
            status_code=status,
        )
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        return visit.finish(response)

    def story(self, order: dict) -> steps.Story | None:
        if self.wire_log is None or not order.get("out_trade_no"):
            return None
        return steps.story(order, self.wire_log.for_order(order["order_id"]), notify_path=self.notify_path)

    async def order_page(
        self,
        request: Request,
        visit: Visit,
        order_id: str,
        *,
        refusal: PaymentError | None = None,
        fields=None,
    ) -> Response:
        here = f"/shop/orders/{order_id}"
        try:
            order = await run_in_threadpool(self.merchant.get_order, visit.user, order_id)
        except PaymentError as missing:
            return self.page(request, visit, "missing.html", "/shop", status=missing.status, refusal=missing)
        status = OrderStatus(order["status"])
        return self.page(
            request,
            visit,
            "order.html",
            here,
            status=refusal.status if refusal else 200,
            order=order,
            payable=status in PAYABLE,
            story=self.story(order),
            can_attack=self.link is not None,
            refusal=refusal,
            fields=fields or {},
        )

    # -- the routes ------------------------------------------------------------------------------------
    def router(self) -> APIRouter:
        router = APIRouter(prefix="/shop", include_in_schema=False)

        @router.get("", response_class=HTMLResponse)
        async def catalogue(request: Request) -> Response:
            return self.page(request, Visit.of(request), "index.html", "/shop", catalogue=CATALOGUE)

        @router.post("/cart")
        async def add_to_cart(request: Request) -> Response:
            visit, fields = Visit.of(request), await form_fields(request)
            quantity = fields.get("quantity", "1").strip()
            if (
                fields.get("sku") in BY_SKU
                and quantity.isascii()
                and quantity.isdigit()
                and int(quantity) > 0
            ):
                visit.cart.add(fields["sku"], int(quantity))
            return visit.finish(RedirectResponse("/shop#cart", status_code=303), cart_changed=True)

        @router.post("/cart/remove")
        async def remove_from_cart(request: Request) -> Response:
            visit, fields = Visit.of(request), await form_fields(request)
            visit.cart.remove(fields.get("sku", ""))
            return visit.finish(RedirectResponse("/shop#cart", status_code=303), cart_changed=True)

        @router.post("/checkout")
        async def checkout(request: Request) -> Response:
            visit = Visit.of(request)
            await form_fields(request)
            try:
                order_in = models.OrderIn.model_validate(visit.cart.order_document(visit.language))
            except ValidationError:
                refusal = PaymentError(ErrorCode.INVALID_REQUEST, "the cart is empty: add something first")
                return self.page(
                    request, visit, "index.html", "/shop", 422, catalogue=CATALOGUE, refusal=refusal
                )
            try:
                order = await run_in_threadpool(
                    self.merchant.create_order, visit.user, order_in.line_items(), order_in.currency
                )
            except PaymentError as refusal:
                return self.page(
                    request,
                    visit,
                    "index.html",
                    "/shop",
                    refusal.status,
                    catalogue=CATALOGUE,
                    refusal=refusal,
                )
            visit.cart = Cart()
            redirect = RedirectResponse(f"/shop/orders/{order['order_id']}", status_code=303)
            return visit.finish(redirect, cart_changed=True)

        @router.get("/orders/{order_id}", response_class=HTMLResponse)
        async def order(order_id: str, request: Request) -> Response:
            return await self.order_page(request, Visit.of(request), order_id)

        @router.post("/orders/{order_id}/pay")
        async def pay(order_id: str, request: Request) -> Response:
            visit, fields = Visit.of(request), await form_fields(request)
            try:
                order = await run_in_threadpool(self.merchant.get_order, visit.user, order_id)
                payment = payment_from_form(fields, order["amount"]["currency"])
                method, amount = payment.payment_method(), models.money(payment.amount)
                await run_in_threadpool(self.merchant.pay, visit.user, order_id, amount, method)
            except PaymentError as refusal:
                kept = {name: fields.get(name, "") for name in ("method", "expiry", "account", "amount")}
                return await self.order_page(request, visit, order_id, refusal=refusal, fields=kept)
            return visit.finish(RedirectResponse(f"/shop/orders/{order_id}#steps", status_code=303))

        @router.get("/orders/{order_id}/steps", response_class=HTMLResponse)
        async def live_steps(order_id: str, request: Request) -> Response:
            visit = Visit.of(request)
            try:
                order = await run_in_threadpool(self.merchant.get_order, visit.user, order_id)
            except PaymentError as missing:
                return HTMLResponse("", status_code=missing.status)
            story = self.story(order)
            if story is None:  # not paid yet, or no wire log: nothing to show, nothing to wait for
                return visit.finish(Response(status_code=204, headers={"X-Steps-Waiting": "0"}))
            response = self.page(
                request, visit, "_steps.html", f"/shop/orders/{order_id}", story=story, order=order
            )
            response.headers["X-Steps-Waiting"] = "1" if story.waiting else "0"
            return response

        async def resend(order_id: str, request: Request, *, tamper: bool) -> Response:
            visit = Visit.of(request)
            await form_fields(request)
            try:
                order = await run_in_threadpool(self.merchant.get_order, visit.user, order_id)
            except PaymentError as refusal:
                return await self.order_page(request, visit, order_id, refusal=refusal)
            story = self.story(order)
            if story is not None and story.captured is not None and self.link is not None:
                captured = story.captured
                body = steps.tampered(captured.request_body) if tamper else captured.request_body
                with contextlib.suppress(LinkError):  # the wire log records an unreachable gateway too
                    await run_in_threadpool(
                        self.link.request, captured.method, captured.url, dict(captured.request_headers), body
                    )
            return visit.finish(RedirectResponse(f"/shop/orders/{order_id}#attack", status_code=303))

        @router.post("/orders/{order_id}/replay")
        async def replay(order_id: str, request: Request) -> Response:
            return await resend(order_id, request, tamper=False)

        @router.post("/orders/{order_id}/tamper")
        async def tamper(order_id: str, request: Request) -> Response:
            return await resend(order_id, request, tamper=True)

        return router
