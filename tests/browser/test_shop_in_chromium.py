"""A person at the web checkout, in Chromium: buy tea, see the six steps, play the attacker; the API pages.

Every page is checked offline: a route handler aborts (and records) any request for another host,
and each test asserts there was none. Screenshots are kept in the test's artefact folder
(``test-results/``); ``PAYCORE_DOCS_SCREENSHOT=1`` also refreshes the one the docs show.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.slow
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "shop-six-steps.png"
STEPS = ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6")


@pytest.fixture
def offline(page: Page, served) -> list[str]:
    """Requests the page tried to send to another host (each one aborted)."""
    elsewhere: list[str] = []

    def guard(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.context.route("**/*", guard)
    return elsewhere


@pytest.fixture
def shop(page: Page, served, offline):
    page.goto(f"{served.merchant_url}/shop")
    yield page
    assert offline == [], f"the page asked another host: {offline}"


def shot(page: Page, output_path: str, name: str, *, full_page: bool = True) -> None:
    Path(output_path).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(output_path) / f"{name}.png"), full_page=full_page)


def order_tea(page: Page, quantity: str = "2") -> str:
    tea = page.locator(".product", has_text="Longjing green tea")
    tea.get_by_label("Quantity of Longjing green tea, 100 g").fill(quantity)
    tea.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart")).to_contain_text("Longjing green tea")
    page.get_by_role("button", name="Place the order (step 3.1)").click()
    expect(page.locator("#order-status")).to_have_text("CREATED")
    return page.url.rsplit("/", 1)[1]


def pay_by_card(page: Page, number: str = "4111 1111 1111 1111") -> None:
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("CVV", exact=True).fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay CNY")).click()


def api_order(served, page: Page, order_id: str) -> dict:
    """The order as the merchant's API shows it to the same shopper (the shop's cookie is the user id)."""
    (user,) = [c["value"] for c in page.context.cookies() if c["name"] == "paycore_shopper"]
    answer = httpx.get(f"{served.merchant_url}/orders/{order_id}", headers={"X-User-Id": user}, timeout=10)
    assert answer.status_code == 200
    return answer.json()


def test_a_user_buys_tea_with_the_test_card_and_watches_the_six_steps(shop: Page, served, output_path):
    shot(shop, output_path, "1-catalogue")
    order_id = order_tea(shop)
    expect(shop.get_by_label("Amount sent, in fen")).to_have_value("9980")
    pay_by_card(shop)
    expect(shop.locator("#order-status")).to_have_text("PAID")
    for number in STEPS:
        expect(shop.locator(f'[id="step-{number}"]')).to_be_visible()
    canonical = shop.locator('[id="step-3.3"] details', has_text="The canonical string the merchant signed")
    expect(canonical.locator("tr").nth(0)).to_contain_text("POST")
    expect(canonical.locator("tr").nth(1)).to_contain_text("/v1/payments")
    expect(shop.get_by_role("status")).to_have_text("All six steps are in.", timeout=20_000)  # notified, live
    expect(shop.locator('[id="step-3.6"]')).to_contain_text('HTTP 200 {"code":"SUCCESS"}')
    assert api_order(served, shop, order_id)["status"] == "PAID"
    shot(shop, output_path, "2-paid-six-steps")
    if os.environ.get("PAYCORE_DOCS_SCREENSHOT"):
        shop.locator("#steps").screenshot(path=str(DOCS_SCREENSHOT), scale="css")
        from PIL import Image  # a 48-colour palette keeps the committed picture small

        Image.open(DOCS_SCREENSHOT).convert("RGB").quantize(colors=48).save(DOCS_SCREENSHOT, optimize=True)


def test_a_mistyped_card_number_gets_the_clear_error_and_no_order_changes(shop: Page, served, output_path):
    order_id = order_tea(shop)
    before = api_order(served, shop, order_id)
    pay_by_card(shop, "4111 1111 1111 1112")
    alert = shop.get_by_role("alert")
    expect(alert).to_contain_text("INVALID_REQUEST")
    expect(alert).to_contain_text("card number fails the Luhn check (a typo?)")
    expect(alert).to_be_focused()
    expect(shop.locator("#order-status")).to_have_text("CREATED")
    expect(shop.get_by_label("Card number")).to_have_value("")  # the number is never sent back
    assert api_order(served, shop, order_id) == before
    shot(shop, output_path, "mistyped-card")


def test_replay_shows_replayed_nonce(shop: Page, output_path):
    order_tea(shop)
    pay_by_card(shop)
    shop.get_by_role("button", name="Replay the captured request").click()
    expect(shop.locator(".attack-result")).to_have_count(1)
    expect(shop.locator(".attack-result")).to_contain_text("Replayed: HTTP 401 REPLAYED_NONCE")
    shot(shop, output_path, "replayed")


def test_tamper_shows_invalid_signature(shop: Page, output_path):
    order_tea(shop)
    pay_by_card(shop)
    shop.get_by_role("button", name="Change the amount and send it").click()
    expect(shop.locator(".attack-result")).to_contain_text("Tampered: HTTP 401 INVALID_SIGNATURE")
    shot(shop, output_path, "tampered")


def tab_to(page: Page, target, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def test_the_whole_purchase_works_from_the_keyboard(shop: Page, served):
    tab_to(
        shop, shop.locator(".product", has_text="Celadon tea cup").get_by_role("button", name="Add to cart")
    )
    shop.keyboard.press("Enter")
    tab_to(shop, shop.get_by_role("button", name="Place the order (step 3.1)"))
    shop.keyboard.press("Enter")
    expect(shop.locator("#order-status")).to_have_text("CREATED")
    tab_to(shop, shop.get_by_label("Card number"))
    shop.keyboard.type("4111111111111111")
    shop.keyboard.press("Tab")
    shop.keyboard.type("12/30")
    shop.keyboard.press("Tab")
    shop.keyboard.type("123")
    tab_to(shop, shop.get_by_role("button", name=re.compile(r"^Pay CNY 35\.00")))
    shop.keyboard.press("Enter")
    expect(shop.locator("#order-status")).to_have_text("PAID")


def test_every_field_is_labelled_and_the_language_switch_works(shop: Page, output_path):
    fields = shop.locator("input:not([type=hidden]), button")
    for index in range(fields.count()):
        expect(fields.nth(index)).to_have_accessible_name(re.compile(r"\S"))
    order_tea(shop, "1")
    for name in ("Card number", "Expiry (MM/YY)", "CVV", "Amount sent, in fen"):
        expect(shop.get_by_label(name, exact=True)).to_be_editable()
    shop.get_by_role("link", name="中文").click()
    expect(shop.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(shop.get_by_label("卡号")).to_be_visible()
    expect(shop.locator("main")).to_contain_text("龙井绿茶")
    fields = shop.locator("main input:not([type=hidden]):visible")
    for index in range(fields.count()):
        expect(fields.nth(index)).to_have_accessible_name(re.compile(r"\S"))
    shot(shop, output_path, "chinese-order")


@pytest.mark.parametrize("party", ["merchant", "gateway"])
def test_the_api_pages_render_offline(page: Page, served, offline, party, output_path):
    base = served.merchant_url if party == "merchant" else served.gateway_url
    page.goto(f"{base}/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)  # Swagger UI drew the operations
    expect(
        page.locator(".opblock-summary-path")
        .filter(has_text="/v1/payments" if party == "gateway" else "/orders")
        .first
    ).to_be_visible()
    shot(page, output_path, f"{party}-docs", full_page=False)
    page.goto(f"{base}/redoc")
    expect(page.get_by_text(f"paycore {party}", exact=False).first).to_be_visible(timeout=20_000)
    expect(page.locator("[data-section-id]").first).to_be_attached(timeout=20_000)  # ReDoc drew the sections
    shot(page, output_path, f"{party}-redoc", full_page=False)
    assert offline == [], f"the API pages asked another host: {offline}"
