"""The web checkout at /shop, over HTTP in process: forms in, pages out, the merchant's own rules.

The browser tests (tests/browser/) click through the same pages in Chromium; these check what the
pages say and do against the services underneath: the order the merchant stores, the wire log,
the gateway's answers.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from urllib.parse import urlencode

import pytest

from paycore.payment.merchant.shop import catalogue, labels, steps
from paycore.payment.protocol import NONCE, SIGNATURE
from paycore.payment.runtime.demo import DEMO_CARDS, DEMO_WALLETS

SHOP = Path(catalogue.__file__).parent
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TEST_CARD = {"method": "card", "number": "4111 1111 1111 1111", "expiry": "12/30", "cvv": "123"}


class Shopper:
    """A browser, as far as the shop can tell: it keeps the shop's cookies and posts forms."""

    def __init__(self, world) -> None:
        self.client = world.merchant_client()
        self.cookies: dict[str, str] = {}

    def _keep(self, response):
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response

    def _headers(self, extra=None) -> dict:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {**(extra or {}), **({"Cookie": cookie} if cookie else {})}

    def get(self, path: str, **headers):
        return self._keep(self.client.get(path, headers=self._headers(headers)))

    def post(self, path: str, fields: dict | None = None):
        body = urlencode(fields or {}).encode()
        return self._keep(self.client.post(path, content=body, headers=self._headers(FORM)))

    @property
    def user(self) -> str:
        return self.cookies["paycore_shopper"]

    def order_with_tea(self, quantity: int = 2) -> str:
        self.get("/shop")
        assert self.post("/shop/cart", {"sku": "TEA-1", "quantity": str(quantity)}).status_code == 303
        placed = self.post("/shop/checkout")
        assert placed.status_code == 303, placed.text
        return placed.headers["location"].rsplit("/", 1)[1]

    def pay(self, order_id: str, **fields):
        amount = fields.pop("amount", None)
        return self.post(f"/shop/orders/{order_id}/pay", {**TEST_CARD, "amount": amount or "9980", **fields})


@pytest.fixture
def shopper(world):
    return Shopper(world)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&#34;", '"')


def test_the_catalogue_shows_prices_in_yuan_from_integer_fen(shopper):
    page = shopper.get("/shop")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for product in catalogue.CATALOGUE:
        assert isinstance(product.price, int)
        yuan = f"{product.price // 100}.{product.price % 100:02d}"
        assert f"CNY {yuan}" in page.text and f"{product.price} fen" in page.text
    assert re.fullmatch(r"shopper-[0-9a-f]{12}", shopper.user)
    assert "HttpOnly" in page.headers["set-cookie"] and "SameSite=strict" in page.headers["set-cookie"]
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'; script-src 'self';" in policy and "form-action 'self'" in policy


def test_the_cart_adds_removes_and_totals(shopper):
    shopper.get("/shop")
    shopper.post("/shop/cart", {"sku": "TEA-1", "quantity": "2"})
    shopper.post("/shop/cart", {"sku": "CUP-1", "quantity": "1"})
    shopper.post("/shop/cart", {"sku": "NOT-SOLD", "quantity": "5"})
    shopper.post("/shop/cart", {"sku": "TEA-2", "quantity": "-3"})
    page = text_of(shopper.get("/shop").text)
    assert "Order total CNY 134.80" in page  # 2 x 49.90 + 35.00
    shopper.post("/shop/cart/remove", {"sku": "TEA-1"})
    assert "Order total CNY 35.00" in text_of(shopper.get("/shop").text)


def test_placing_the_order_is_step_3_1_at_the_merchant(world, shopper):
    order_id = shopper.order_with_tea()
    order = world.merchant.get_order(shopper.user, order_id)
    assert (order["status"], order["amount"]) == ("CREATED", {"value": 9980, "currency": "CNY"})
    assert order["items"] == [
        {"sku": "TEA-1", "name": "Longjing green tea, 100 g", "quantity": 2, "unit_price": 4990}
    ]
    assert "Your cart is empty" in shopper.get("/shop").text


def test_an_empty_cart_is_refused_with_the_code(shopper):
    shopper.get("/shop")
    page = shopper.post("/shop/checkout")
    assert page.status_code == 422 and "INVALID_REQUEST" in page.text and "the cart is empty" in page.text


def test_paying_with_the_test_card_shows_paid_and_the_six_steps(world, shopper):
    order_id = shopper.order_with_tea()
    paid = shopper.pay(order_id)
    assert paid.status_code == 303 and paid.headers["location"] == f"/shop/orders/{order_id}#steps"
    assert world.merchant.get_order(shopper.user, order_id)["status"] == "PAID"
    world.notifier.deliver_due()
    page = shopper.get(f"/shop/orders/{order_id}").text
    assert 'id="order-status">PAID<' in page
    for number in ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6"):
        assert f'id="step-{number}"' in page
    (request,) = [r for r in world.wire_log.for_order(order_id) if r.label.startswith("3.3")]
    for line in request.canonical.decode().split("\n")[:5]:
        assert f"<code>{line}</code>" in page  # the signed canonical string, line by line
    assert request.request_headers[SIGNATURE] in page
    assert request.reply_canonical.decode().split("\n")[1] == request.request_headers[NONCE]
    for line in request.reply_canonical.decode().split("\n")[:5]:
        assert f"<code>{line}</code>" in page
    assert "RSA-OAEP-256" in page and "4111111111111111" not in page and "411111******1111" in page
    assert "payment.succeeded" in page and "All six steps are in." in page


def test_the_steps_wait_for_the_notification_then_stop(world, shopper):
    order_id = shopper.order_with_tea()
    shopper.pay(order_id)
    waiting = shopper.get(f"/shop/orders/{order_id}/steps")
    assert waiting.headers["x-steps-waiting"] == "1" and "Waiting for the gateway" in waiting.text
    world.notifier.deliver_due()
    done = shopper.get(f"/shop/orders/{order_id}/steps")
    assert done.headers["x-steps-waiting"] == "0" and "payment.succeeded" in done.text


def test_a_mistyped_card_number_is_a_clear_refusal_and_changes_nothing(world, shopper):
    order_id = shopper.order_with_tea()
    before = world.merchant.get_order(shopper.user, order_id)
    page = shopper.pay(order_id, number="4111 1111 1111 1112")
    assert page.status_code == 422
    assert "INVALID_REQUEST" in page.text and "fails the Luhn check (a typo?)" in page.text
    assert 'role="alert"' in page.text and "4111 1111 1111 1112" not in page.text  # never echoed back
    assert world.merchant.get_order(shopper.user, order_id) == before
    assert world.wire_log.for_order(order_id) == []  # nothing went to the gateway


@pytest.mark.parametrize(
    "fields, status, code, words",
    [
        ({"amount": "1"}, 422, "AMOUNT_MISMATCH", "differs from the order's"),
        ({"amount": "99.80"}, 422, "INVALID_REQUEST", "amount.value"),
        ({"expiry": "13/30"}, 422, "INVALID_REQUEST", "expiry"),
        ({"method": "wallet", "account": "alice"}, 422, "INVALID_REQUEST", "account"),
    ],
)
def test_the_merchants_refusals_show_code_and_message(world, shopper, fields, status, code, words):
    order_id = shopper.order_with_tea()
    page = shopper.pay(order_id, **fields)
    assert (
        page.status_code == status
        and f'class="error-code">{code}<' in page.text
        and words in text_of(page.text)
    )
    assert world.merchant.get_order(shopper.user, order_id)["status"] == "CREATED"


def test_paying_twice_is_refused_as_the_api_refuses_it(world, shopper):
    order_id = shopper.order_with_tea()
    shopper.pay(order_id)
    page = shopper.pay(order_id)
    assert page.status_code == 409 and "ORDER_NOT_PAYABLE" in page.text


def test_a_wallet_pays_too(world, shopper):
    order_id = shopper.order_with_tea(quantity=1)
    paid = shopper.pay(order_id, method="wallet", account="W-alice", amount="4990")
    order = world.merchant.get_order(shopper.user, order_id)
    assert paid.status_code == 303 and order["status"] == "PAID" and order["payer"].startswith("W-al")


def test_replay_and_tamper_show_the_gateways_refusals(world, shopper):
    order_id = shopper.order_with_tea()
    shopper.pay(order_id)
    balance = world.gateway.balance("merchant:M100001:CNY")
    assert shopper.post(f"/shop/orders/{order_id}/replay").status_code == 303
    assert shopper.post(f"/shop/orders/{order_id}/tamper").status_code == 303
    page = text_of(shopper.get(f"/shop/orders/{order_id}").text)
    assert "Replayed: HTTP 401 REPLAYED_NONCE" in page and "Tampered: HTTP 401 INVALID_SIGNATURE" in page
    assert world.gateway.balance("merchant:M100001:CNY") == balance  # the money moved once
    sent = [r for r in world.wire_log.for_order(order_id) if r.label.startswith("3.3")]
    assert (
        len(sent) == 3 and len({r.request_headers[NONCE] for r in sent}) == 1
    )  # the captured request, twice more
    assert sent[1].request_body == sent[0].request_body != sent[2].request_body


def test_another_shopper_cannot_see_or_attack_the_order(world, shopper):
    order_id = shopper.order_with_tea()
    shopper.pay(order_id)
    stranger = Shopper(world)
    assert stranger.get(f"/shop/orders/{order_id}").status_code == 404
    assert stranger.get(f"/shop/orders/{order_id}/steps").status_code == 404
    stranger.post(f"/shop/orders/{order_id}/replay")
    assert len([r for r in world.wire_log.for_order(order_id) if r.label.startswith("3.3")]) == 1


def test_the_language_switch_and_chinese_labels(world, shopper):
    page = shopper.get("/shop?lang=zh")
    assert '<html lang="zh-CN">' in page.text and "茶叶与茶具" in page.text and "龙井绿茶" in page.text
    assert shopper.get("/shop").text.count("加入购物车") == len(catalogue.CATALOGUE)  # remembered
    assert '<html lang="en">' in shopper.get("/shop?lang=en").text
    newcomer = Shopper(world)
    assert "茶叶与茶具" in newcomer.get("/shop", **{"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert "Tea and teaware" in Shopper(world).get("/shop").text


def test_every_label_has_both_languages_with_the_same_fields():
    fields = string.Formatter()
    for key, (english, chinese) in labels.LABELS.items():
        assert english and chinese, key
        named = [{name for _, name, _, _ in fields.parse(text) if name} for text in (english, chinese)]
        assert named[0] == named[1], key


def test_every_label_the_pages_use_exists():
    used = set()
    for template in (SHOP / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(["'](\w+(?:\.\w+)+)["']""", template.read_text()))
    source = (SHOP / "steps.py").read_text()
    used |= set(re.findall(r'"((?:step|actor|fact|panel|note|line)\.[a-z_]+)"', source))
    used |= {f"env.{name}" for name in steps.ENVELOPE_FIELDS} | {"attack.kind.replay", "attack.kind.tamper"}
    assert used and not used - set(labels.LABELS), used - set(labels.LABELS)


def test_the_test_card_hint_names_a_real_demo_payer():
    english = labels.LABELS["order.test_cards"][0]
    number = "".join(re.search(r"(\d{4} \d{4} \d{4} \d{4})", english).group(1).split())
    expiry, cvv, _, _ = DEMO_CARDS[number]
    assert f"expiry {expiry}, CVV {cvv}" in english and "W-alice" in english and "W-alice" in DEMO_WALLETS


def test_the_pages_load_nothing_from_another_host():
    for path in [*(SHOP / "templates").glob("*.html"), *(SHOP / "static").glob("*")]:
        assert not re.search(r"(?:src|href|url)\s*[=(]\s*[\"']?(?:https?:)?//", path.read_text()), path


@pytest.mark.parametrize(
    "path, body",
    [
        ("/shop/cart", b"sku=%FF%FE&quantity=1"),
        ("/shop/cart", b"quantity=" + b"9" * 400),
        ("/shop/cart/remove", b"&&&==="),
        ("/shop/checkout", b"x=" + b"&y=" * 50),
        ("/shop/orders/ord_nonexistent00000/pay", b"method=card"),
        ("/shop/orders/%2e%2e/replay", b""),
        ("/shop/orders/ord_x/tamper", b"\xff"),
    ],
)
def test_junk_forms_are_refused_cleanly_never_a_500(shopper, path, body):
    shopper.get("/shop")
    response = shopper.client.post(path, content=body, headers=shopper._headers(FORM))
    assert response.status_code < 500


def test_tampered_changes_only_the_amount():
    body = b'{"merchant_id":"M1","out_trade_no":"o-1","amount":{"value":1,"currency":"CNY"},"payer":{}}'
    assert steps.tampered(body) == body.replace(b'"value":1', b'"value":2')


def test_a_declined_card_shows_failed_and_that_no_money_moved(world, shopper):
    order_id = shopper.order_with_tea()
    assert shopper.get(f"/shop/orders/{order_id}/steps").status_code == 204  # nothing to show yet
    shopper.pay(order_id, cvv="999")  # the issuer compares the CVV and declines
    order = world.merchant.get_order(shopper.user, order_id)
    assert (order["status"], order["failure_code"]) == ("FAILED", "CVV_MISMATCH")
    page = text_of(shopper.get(f"/shop/orders/{order_id}").text)
    assert "FAILED, declined with CVV_MISMATCH. No money moved." in page
    assert "The last attempt was declined: CVV_MISMATCH. You may pay again." in page
    assert shopper.pay(order_id).status_code == 303  # and then it can be paid
    assert world.merchant.get_order(shopper.user, order_id)["status"] == "PAID"
