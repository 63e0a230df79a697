"""The demo cast: one merchant and a few payers with known balances (tours, tests, ``paycore serve``).

The card numbers are the industry's published test numbers, not real cards.
"""

from __future__ import annotations

from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money

MERCHANT_ID = "M100001"
MERCHANT_NAME = "Demo Shop"
NOTIFY_PATH = "/paycore/notify"

DEMO_CARDS: dict[str, tuple[str, str, int, str]] = {
    # number: (expiry, CVV, balance in minor units, currency)
    "4111111111111111": ("12/30", "123", 100_000_00, "CNY"),
    "5555555555554444": ("06/29", "321", 500_00, "CNY"),
    "4000000000000002": ("09/31", "123", 1_00, "CNY"),
}
DEMO_WALLETS: dict[str, tuple[int, str]] = {"W-alice": (2_000_00, "CNY"), "W-bob": (100_00, "USD")}


def seed_demo_payers(gateway) -> None:
    """Give the (simulated) issuer the demo cards and wallets (opening a known one changes nothing)."""
    for number, (expiry, cvv, balance, currency) in DEMO_CARDS.items():
        gateway.open_card_account(Card(number, expiry, cvv), Money(balance, currency))
    for account, (balance, currency) in DEMO_WALLETS.items():
        gateway.open_wallet_account(Wallet(account), Money(balance, currency))
