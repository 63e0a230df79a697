"""The cashier's HTML page: the order, and a form that pays it with a test card or a wallet.

The form posts JSON ``{"method": {...}}`` to the page's own URL -- the same request a script or a
test sends -- so the page needs no second way to pay. Every value shown is HTML-escaped, and the
page refuses to be framed (a payment button inside someone else's page is clickjacking).
"""

from __future__ import annotations

from html import escape

from paycore.payment.gateway.dialects.cashier import CashierView

HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
PLATFORM = {"wechatpay": "WeChat Pay (simulated)", "alipay": "Alipay (simulated)"}

_SCRIPT = """
const form = document.getElementById('pay');
const card = ['number', 'expiry', 'cvv'];
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const method = data.get('type') === 'wallet'
    ? {type: 'wallet', account: data.get('account')}
    : {type: 'card', ...Object.fromEntries(card.map((name) => [name, data.get(name)]))};
  const reply = await fetch(form.dataset.url, {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({method}),
  });
  const answer = await reply.json();
  document.getElementById('result').textContent = reply.ok
    ? 'Paid: ' + answer.status : 'Not paid: ' + (answer.error ? answer.error.message : reply.status);
});
"""


def render(view: CashierView, pay_url: str) -> str:
    """The page of a trade; its form pays at ``pay_url`` (the page's own URL)."""
    trade = view.trade
    waiting = trade.status == "WAITING"
    form = (
        f'<form id="pay" data-url="{escape(pay_url)}">'
        '<p><label><input type="radio" name="type" value="card" checked> test card</label> '
        '<input name="number" placeholder="4111111111111111" autocomplete="off"> '
        '<input name="expiry" placeholder="MM/YY" size="5"> '
        '<input name="cvv" placeholder="CVV" size="4" autocomplete="off"></p>'
        '<p><label><input type="radio" name="type" value="wallet"> wallet</label> '
        '<input name="account" placeholder="W-alice"></p>'
        '<p><button type="submit">Pay</button></p></form>'
        f'<p id="result"></p><script>{_SCRIPT}</script>'
        if waiting
        else f"<p>This order is <strong>{escape(view.status)}</strong>; there is nothing to pay.</p>"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>paycore cashier</title></head><body>"
        f"<h1>{escape(PLATFORM.get(trade.dialect, 'paycore'))} cashier</h1>"
        f"<p>{escape(view.merchant_name)}: {escape(trade.description)}</p>"
        f"<p>Amount: <strong>{escape(str(view.amount))}</strong> &middot; order {escape(trade.out_trade_no)}"
        f" &middot; status {escape(view.status)}</p>{form}</body></html>"
    )


def not_found() -> str:
    """The page of a cashier URL that leads nowhere."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>paycore cashier</title></head><body>"
        "<h1>No such order</h1><p>This payment link is unknown.</p></body></html>"
    )
