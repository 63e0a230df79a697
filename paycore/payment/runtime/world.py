"""The one place the parties are wired together: keys, stores, links, registration, demo payers.

:func:`assemble` builds both services on their stores and joins them with a link -- the gateway,
the merchant with its client and notification inbox, the notifier, and a wire log of what
crosses between them. ``paycore serve`` calls it with real HTTP, the benchmarks with a direct
link, and :func:`build_world` with an in-process network of the parties' real FastAPI apps, for
tests, notebooks and ``paycore demo``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment.clock import Clock, SystemClock
from paycore.payment.gateway.app import create_gateway_app
from paycore.payment.gateway.dialects import DialectKeys, Dialects
from paycore.payment.gateway.merchants import origin_of
from paycore.payment.gateway.outbox import Notifier
from paycore.payment.gateway.service import Gateway
from paycore.payment.gateway.store import GatewayStore
from paycore.payment.merchant.app import create_merchant_app
from paycore.payment.merchant.client import GatewayClient
from paycore.payment.merchant.notifications import NotificationInbox
from paycore.payment.merchant.service import Merchant
from paycore.payment.merchant.store import MerchantStore
from paycore.payment.protocol.signing import MessageSigner, MessageVerifier, PinnedKey
from paycore.payment.protocol.wire import Link
from paycore.payment.runtime import datadir
from paycore.payment.runtime.demo import MERCHANT_ID, MERCHANT_NAME, NOTIFY_PATH, seed_demo_payers
from paycore.payment.runtime.stores import open_stores
from paycore.payment.runtime.transport import InProcessClient, InProcessNetwork
from paycore.payment.runtime.wirelog import RecordingLink, WireLog

GATEWAY_URL = "http://gateway.paycore.test"
MERCHANT_URL = "http://merchant.paycore.test"


@dataclass
class Parties:
    """Both services, wired: what :func:`assemble` returns."""

    gateway: Gateway
    merchant: Merchant
    inbox: NotificationInbox
    notifier: Notifier
    wire_log: WireLog
    merchant_link: RecordingLink
    """The merchant's way to the gateway; its ``inner`` link may be swapped to stage network faults."""
    dialects: Dialects | None = None
    """WeChat Pay v3 and Alipay beside ``paycore/1``, when the gateway was given their keys."""

    def apps(self) -> tuple:
        """The gateway's and the merchant's FastAPI apps (the merchant's shop sees the wire log)."""
        routers = self.dialects.routers() if self.dialects is not None else ()
        schemes = self.dialects.security_schemes() if self.dialects is not None else {}
        merchant_app = create_merchant_app(
            self.merchant, self.inbox, NOTIFY_PATH, wire_log=self.wire_log, link=self.merchant_link
        )
        return create_gateway_app(self.gateway, routers, schemes), merchant_app


def assemble(
    *,
    clock: Clock,
    gateway_store: GatewayStore,
    merchant_store: MerchantStore,
    gateway_key: rsa.RSAPrivateKey,
    gateway_encryption_key: rsa.RSAPrivateKey,
    merchant_key: rsa.RSAPrivateKey,
    link: Link,
    notify_link: Link | None = None,
    gateway_url: str,
    merchant_url: str,
    token_secret: bytes,
    algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
    seed_payers: bool = True,
    admin_token: str | None = None,
    notify_origins: tuple[str, ...] | None = None,
    dialect_keys: DialectKeys | None = None,
    alipay_timezone=None,
) -> Parties:
    """Build both services on their stores, register the merchant's key, and seed demo payers.

    ``gateway_key`` signs the gateway's answers and notifications; ``gateway_encryption_key`` opens
    payer envelopes. The merchant pins the first and seals to the second. ``notify_link`` carries
    the gateway's notifications (``link`` if not given); ``notify_origins`` are where the merchant is
    registered to receive them (the origin of ``merchant_url`` if not given). With ``dialect_keys``
    the gateway also speaks WeChat Pay v3 and Alipay (:class:`~paycore.payment.gateway.dialects.Dialects`,
    at ``gateway_url``; ``alipay_timezone`` as there), and the notifier sends their notifications too.
    """
    log = WireLog()
    gateway, notifier, dialects = wire_gateway(
        clock=clock,
        gateway_store=gateway_store,
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
        merchant_public_key=merchant_key.public_key(),
        notify_link=RecordingLink(notify_link or link, log),
        merchant_url=merchant_url,
        token_secret=token_secret,
        algorithm=algorithm,
        seed_payers=seed_payers,
        notify_origins=notify_origins,
        gateway_url=gateway_url,
        dialect_keys=dialect_keys,
        alipay_timezone=alipay_timezone,
    )
    merchant_link = RecordingLink(link, log)
    merchant, inbox = wire_merchant(
        clock=clock,
        merchant_store=merchant_store,
        merchant_key=merchant_key,
        gateway_public_key=gateway_key.public_key(),
        gateway_encryption_public_key=gateway_encryption_key.public_key(),
        link=merchant_link,
        gateway_url=gateway_url,
        merchant_url=merchant_url,
        algorithm=algorithm,
        admin_token=admin_token,
        gateway_algorithm=gateway.signer.algorithm,
    )
    return Parties(gateway, merchant, inbox, notifier, log, merchant_link, dialects)


def wire_gateway(
    *,
    clock: Clock,
    gateway_store: GatewayStore,
    gateway_key: rsa.RSAPrivateKey,
    gateway_encryption_key: rsa.RSAPrivateKey,
    merchant_public_key: rsa.RSAPublicKey,
    notify_link: Link,
    merchant_url: str,
    token_secret: bytes,
    algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
    seed_payers: bool = True,
    notify_origins: tuple[str, ...] | None = None,
    gateway_url: str = GATEWAY_URL,
    dialect_keys: DialectKeys | None = None,
    alipay_timezone=None,
) -> tuple[Gateway, Notifier, Dialects | None]:
    """The gateway alone (a worker process): the service, the merchant registered, its notifier and dialects.

    With ``dialect_keys`` the gateway also speaks WeChat Pay v3 and Alipay at ``gateway_url``.
    """
    gateway = Gateway(
        gateway_store, gateway_key, clock, encryption_key=gateway_encryption_key, token_secret=token_secret
    )
    gateway.register_merchant(
        MERCHANT_ID,
        MERCHANT_NAME,
        merchant_public_key,
        algorithm,
        notify_origins=notify_origins or (origin_of(merchant_url),),
    )
    if seed_payers:
        seed_demo_payers(gateway)
    dialects = None
    if dialect_keys is not None:
        dialects = Dialects(gateway, dialect_keys, gateway_url, alipay_timezone=alipay_timezone)
    formats = dialects.notification_formats() if dialects is not None else None
    return gateway, Notifier(gateway_store, gateway.signer, notify_link, clock, formats=formats), dialects


def wire_merchant(
    *,
    clock: Clock,
    merchant_store: MerchantStore,
    merchant_key: rsa.RSAPrivateKey,
    gateway_public_key: rsa.RSAPublicKey,
    gateway_encryption_public_key: rsa.RSAPublicKey,
    link: Link,
    gateway_url: str,
    merchant_url: str,
    algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
    admin_token: str | None = None,
    gateway_algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
) -> tuple[Merchant, NotificationInbox]:
    """The merchant alone (its own process): the service, pinned to the gateway's keys, and its inbox."""
    gateway_pinned = MessageVerifier(
        PinnedKey("gateway", gateway_public_key, secure.SignatureAlgorithm.parse(gateway_algorithm)), clock
    )
    client = GatewayClient(MessageSigner(merchant_key, algorithm), gateway_pinned, link, gateway_url, clock)
    merchant = Merchant(
        merchant_store,
        client,
        clock,
        merchant_id=MERCHANT_ID,
        notify_url=merchant_url + NOTIFY_PATH,
        gateway_encryption_key=gateway_encryption_public_key,
        admin_token=admin_token,
    )
    return merchant, NotificationInbox(merchant_store, gateway_pinned, clock, MERCHANT_ID)


@dataclass
class World:
    """Everything of one in-process payment system, ready to use."""

    parties: Parties
    network: InProcessNetwork
    clock: Clock

    @property
    def gateway(self) -> Gateway:
        return self.parties.gateway

    @property
    def merchant(self) -> Merchant:
        return self.parties.merchant

    @property
    def inbox(self) -> NotificationInbox:
        return self.parties.inbox

    @property
    def notifier(self) -> Notifier:
        return self.parties.notifier

    @property
    def dialects(self) -> Dialects | None:
        """WeChat Pay v3 and Alipay at the gateway, if the world was built with them."""
        return self.parties.dialects

    @property
    def wire_log(self) -> WireLog:
        """What crossed the wire between the parties (requests, replies, notifications)."""
        return self.parties.wire_log

    def merchant_client(self) -> InProcessClient:
        """An HTTP client for the merchant API (what a browser or Postman would be)."""
        return self.network.client(MERCHANT_URL)

    def gateway_client(self) -> InProcessClient:
        """An HTTP client aimed at the gateway API (for attackers and experiments)."""
        return self.network.client(GATEWAY_URL)

    def interpose(self, wrap: Callable[[InProcessNetwork], Link]) -> None:
        """Put ``wrap(network)`` between the merchant and the gateway (a lossy network, say); still logged."""
        self.parties.merchant_link.inner = wrap(self.network)

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the notifier and the apps, and close the databases."""
        self.notifier.close()
        self.network.close()
        self.gateway.store.close()
        self.merchant.store.close()


def build_world(
    *,
    clock: Clock | None = None,
    data_dir: str | Path | None = None,
    merchant_key: rsa.RSAPrivateKey | None = None,
    gateway_key: rsa.RSAPrivateKey | None = None,
    gateway_encryption_key: rsa.RSAPrivateKey | None = None,
    algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
    seed_payers: bool = True,
    dialect_keys: DialectKeys | None = None,
    alipay_timezone=None,
    stores: tuple[GatewayStore, MerchantStore] | None = None,
) -> World:
    """A gateway and a merchant that know each other, in this process.

    ``data_dir=None`` keeps both databases in memory; a directory gives each party its own
    SQLite file there (``gateway.sqlite3``, ``merchant.sqlite3``), which survives a rebuild.
    Keys default to fresh 2048-bit keys from the OS (the gateway has two: one signs, one decrypts).
    ``dialect_keys`` adds WeChat Pay v3 and Alipay at the gateway (see :func:`assemble`).
    ``stores`` are both parties' stores, opened already (on PostgreSQL, say: :func:`open_stores`).
    """
    clock = clock or SystemClock()
    if data_dir is not None:
        data_dir, _ = datadir.prepare(data_dir)
    gateway_store, merchant_store = stores or open_stores(data_dir)
    network = InProcessNetwork()
    parties = assemble(
        clock=clock,
        gateway_store=gateway_store,
        merchant_store=merchant_store,
        gateway_key=gateway_key or secure.generate_private_key(),
        gateway_encryption_key=gateway_encryption_key or secure.generate_private_key(),
        merchant_key=merchant_key or secure.generate_private_key(),
        link=network,
        gateway_url=GATEWAY_URL,
        merchant_url=MERCHANT_URL,
        token_secret=secrets.token_bytes(32) if data_dir is None else datadir.card_token_key(data_dir),
        algorithm=algorithm,
        seed_payers=seed_payers,
        dialect_keys=dialect_keys,
        alipay_timezone=alipay_timezone,
    )
    gateway_app, merchant_app = parties.apps()
    network.add(GATEWAY_URL, gateway_app)
    network.add(MERCHANT_URL, merchant_app)
    return World(parties, network, clock)
