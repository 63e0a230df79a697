"""Wire both parties together: keys, databases, the merchant's registration, demo payers.

:func:`build_world` makes a complete payment system in this process -- gateway and merchant
services, their FastAPI apps on an :class:`~paycore.payment.transport.InProcessNetwork`, and
the gateway's notifier -- for tests, notebooks and ``paycore demo``. ``paycore serve`` uses the
same pieces with files under a data directory and real HTTP.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment import gateway_store, merchant_store
from paycore.payment.clock import Clock, SystemClock
from paycore.payment.gateway import Gateway
from paycore.payment.http.gateway_app import create_gateway_app
from paycore.payment.http.merchant_app import create_merchant_app
from paycore.payment.merchant import Merchant
from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money
from paycore.payment.outbox import Notifier
from paycore.payment.storage import Database
from paycore.payment.transport import InProcessClient, InProcessNetwork

GATEWAY_URL = "http://gateway.paycore.test"
MERCHANT_URL = "http://merchant.paycore.test"
NOTIFY_PATH = "/paycore/notify"
MERCHANT_ID = "M100001"
MERCHANT_NAME = "Demo Shop"

DEMO_CARDS: dict[str, tuple[str, int, str]] = {
    # number: (expiry, balance in minor units, currency) -- published test numbers, not real cards
    "4111111111111111": ("12/30", 100_000_00, "CNY"),
    "5555555555554444": ("06/29", 500_00, "CNY"),
    "4000000000000002": ("09/31", 1_00, "CNY"),
}
DEMO_WALLETS: dict[str, tuple[int, str]] = {"W-alice": (2_000_00, "CNY"), "W-bob": (100_00, "USD")}


def seed_demo_payers(gateway: Gateway) -> None:
    """Give the (simulated) issuer a few test cards and wallets with known balances."""
    for number, (expiry, balance, currency) in DEMO_CARDS.items():
        gateway.open_card_account(Card(number, expiry, "000"), Money(balance, currency))
    for account, (balance, currency) in DEMO_WALLETS.items():
        gateway.open_wallet_account(Wallet(account), Money(balance, currency))


@dataclass
class World:
    """Everything of one in-process payment system, ready to use."""

    gateway: Gateway
    merchant: Merchant
    notifier: Notifier
    network: InProcessNetwork
    clock: Clock

    def merchant_client(self) -> InProcessClient:
        """An HTTP client for the merchant API (what a browser or Postman would be)."""
        return self.network.client(MERCHANT_URL)

    def gateway_client(self) -> InProcessClient:
        """An HTTP client aimed at the gateway API (for attackers and experiments)."""
        return self.network.client(GATEWAY_URL)

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the apps and close the databases."""
        self.network.close()
        self.gateway.db.close()
        self.merchant.db.close()


def assemble(
    *,
    clock: Clock,
    gateway_db: Database,
    merchant_db: Database,
    gateway_key: rsa.RSAPrivateKey,
    merchant_key: rsa.RSAPrivateKey,
    link,
    gateway_url: str,
    merchant_url: str,
    token_secret: bytes,
    algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
    seed_payers: bool = True,
) -> tuple[Gateway, Merchant, Notifier]:
    """Build both services on their databases, register the merchant's key, and seed demo payers."""
    gateway = Gateway(gateway_db, gateway_key, clock, token_secret=token_secret)
    gateway.register_merchant(MERCHANT_ID, MERCHANT_NAME, merchant_key.public_key(), algorithm)
    if seed_payers:
        seed_demo_payers(gateway)
    merchant = Merchant(
        merchant_db,
        merchant_key,
        gateway_key.public_key(),
        clock,
        link,
        MERCHANT_ID,
        gateway_url,
        merchant_url + NOTIFY_PATH,
        algorithm=algorithm,
    )
    return gateway, merchant, Notifier(gateway_db, gateway.signer, link, clock)


def build_world(
    *,
    clock: Clock | None = None,
    data_dir: str | Path | None = None,
    merchant_key: rsa.RSAPrivateKey | None = None,
    gateway_key: rsa.RSAPrivateKey | None = None,
    algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
    seed_payers: bool = True,
) -> World:
    """A gateway and a merchant that know each other, in this process.

    ``data_dir=None`` keeps both databases in memory; a directory gives each party its own
    SQLite file there (``gateway.sqlite3``, ``merchant.sqlite3``), which survives a rebuild.
    Keys default to fresh 2048-bit keys from the OS.
    """
    clock = clock or SystemClock()
    merchant_key = merchant_key or secure.generate_private_key()
    gateway_key = gateway_key or secure.generate_private_key()
    if data_dir is None:
        gateway_path, merchant_path, token_secret = ":memory:", ":memory:", secrets.token_bytes(32)
    else:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        gateway_path, merchant_path = Path(data_dir) / "gateway.sqlite3", Path(data_dir) / "merchant.sqlite3"
        token_secret = token_secret_in(data_dir)
    network = InProcessNetwork()
    gateway, merchant, notifier = assemble(
        clock=clock,
        gateway_db=Database(gateway_path, gateway_store.FULL_SCHEMA),
        merchant_db=Database(merchant_path, merchant_store.SCHEMA),
        gateway_key=gateway_key,
        merchant_key=merchant_key,
        link=network,
        gateway_url=GATEWAY_URL,
        merchant_url=MERCHANT_URL,
        token_secret=token_secret,
        algorithm=algorithm,
        seed_payers=seed_payers,
    )
    network.add(GATEWAY_URL, create_gateway_app(gateway))
    network.add(MERCHANT_URL, create_merchant_app(merchant))
    return World(gateway, merchant, notifier, network, clock)


def token_secret_in(data_dir: str | Path) -> bytes:
    """The gateway's card-token key: made once, kept in the data directory with mode 0600."""
    path = Path(data_dir) / "gateway-token.key"
    if path.exists():
        return path.read_bytes()
    secret = secrets.token_bytes(32)
    path.touch(mode=0o600)
    path.write_bytes(secret)
    return secret
