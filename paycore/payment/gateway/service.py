"""The payment platform (steps 3.4 and 3.5): verify, decrypt, debit the payer, answer, notify.

Every request runs the same checks, in this order, and stops at the first that fails:

1. **key id** -- the ``Paycore-Key-Id`` names a registered merchant key;
2. **signature** -- over the canonical string of the exact bytes received (verify, *then* parse);
3. **window** -- the timestamp is within 300 s of our clock, either side;
4. **nonce** -- never seen before inside the window;
5. **idempotency** -- a retried request gets its first answer; a reused key with another body
   is refused; a concurrent duplicate gets 409;
6. **decrypt** -- the payer's details open from their envelope, bound to this merchant and order;
7. **validate** -- strict types, integer amounts in a known currency, the merchant's own id, a
   Luhn-valid unexpired card.

Checks 1-3 are the protocol's :class:`~paycore.payment.protocol.signing.MessageVerifier`; what a
payment or a refund then does is in :mod:`.payments`. The payer's debit, the merchant's credit,
the payment record, the stored idempotent answer and the notification go into the database in
**one** unit of work. Every answer to a request whose signature checks out -- success, failure or
refusal -- is signed with the gateway's key, bound to the request's nonce. A request that fails
checks 1-2 is refused *unsigned*: signing costs an RSA private-key operation, and answering
unsigned junk with one would hand anybody a cheap way to load the gateway's CPU (the merchant
treats an unsigned answer as no answer anyway).

The gateway holds two RSA key pairs, one purpose each (NIST SP 800-57): a **signing key** for its
answers and notifications, and an **encryption key** that payer envelopes are sealed to. Each has
its own key id, and merchants are given both public keys. A key used for one job only can be
rotated, escrowed or kept in hardware on its own terms, and a flaw in one use (an oracle on
decryption, say) cannot turn into forged signatures.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment.clock import Clock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway import idempotency, ledger, payments
from paycore.payment.gateway.issuer import Issuer
from paycore.payment.gateway.merchants import MerchantRegistry
from paycore.payment.gateway.store import GatewayStore, GatewayUnitOfWork
from paycore.payment.methods import Card, Wallet
from paycore.payment.money import Money
from paycore.payment.protocol import IDEMPOTENCY_KEY, NONCE, PAYMENTS_PATH, REFUNDS_PATH, replay
from paycore.payment.protocol.signing import MessageSigner, MessageVerifier, Verified
from paycore.payment.protocol.wire import Headers, Reply, decode_json_object, encode_json

UNAUTHENTICATED = frozenset(
    {
        ErrorCode.MALFORMED_HEADERS,
        ErrorCode.UNSUPPORTED_ALGORITHM,
        ErrorCode.UNKNOWN_KEY,
        ErrorCode.INVALID_SIGNATURE,
    }
)
"""Refusals of requests whose signature did not check out: answered unsigned."""
Action = Callable[[Verified, bytes, "str | None"], tuple[int, dict]]
"""What an endpoint does after checks 1-5: ``(caller, body, idempotency key) -> (status, JSON)``."""


class Gateway:
    """The payment platform's service, independent of HTTP (the FastAPI app is a thin adapter)."""

    def __init__(
        self,
        store: GatewayStore,
        signing_key: rsa.RSAPrivateKey,
        clock: Clock,
        *,
        encryption_key: rsa.RSAPrivateKey,
        token_secret: bytes,
        algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
        window: int = replay.WINDOW_SECONDS,
    ) -> None:
        if secure.key_id(signing_key) == secure.key_id(encryption_key):
            raise ValueError("the gateway's signing key and encryption key must be two different key pairs")
        self.store = store
        self.signer = MessageSigner(signing_key, algorithm)
        self.key_id = self.signer.key_id
        """The signing key's id: every answer and notification names it."""
        self.encryption_key = encryption_key
        self.encryption_key_id = secure.key_id(encryption_key)
        """The encryption key's id: every payer envelope names it."""
        self.clock = clock
        self.merchants = MerchantRegistry(store)
        self.verifier = MessageVerifier(self.merchants, clock, window)
        self.issuer = Issuer(store, clock, token_secret)

    # -- set-up: merchants and payers --------------------------------------------------------
    def register_merchant(
        self,
        merchant_id: str,
        name: str,
        public_key: rsa.RSAPublicKey,
        algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
        *,
        notify_origins: tuple[str, ...] | list[str],
    ) -> str:
        """Register a merchant's public key, its one algorithm and its notify origins; returns the key id."""
        return self.merchants.register(
            merchant_id, name, public_key, algorithm, notify_origins=notify_origins
        )

    def open_card_account(self, card: Card, balance: Money) -> str:
        """A card the (simulated) issuer knows, holding ``balance``. Only its token is stored."""
        return self.issuer.open_account(card, balance)

    def open_wallet_account(self, wallet: Wallet, balance: Money) -> str:
        """A stored-value wallet holding ``balance``."""
        return self.issuer.open_account(wallet, balance)

    # -- the request pipeline -----------------------------------------------------------------
    def _respond(self, request_nonce: str, status: int, document: dict) -> Reply:
        body = encode_json(document)
        headers = {
            "Content-Type": "application/json",
            **self.signer.sign_response(status, request_nonce, body, timestamp=int(self.clock.now())),
        }
        return Reply(status, Headers(headers), body)

    def _refusal(self, headers: Headers, error: PaymentError) -> Reply:
        if error.code in UNAUTHENTICATED:
            return Reply(
                error.status, Headers({"Content-Type": "application/json"}), encode_json(error.to_json())
            )
        return self._respond(headers.get(NONCE, "-")[:64], error.status, error.to_json())

    def _handle(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        action: Action,
        *,
        idempotent: bool,
    ) -> Reply:
        """Checks 1-5 around ``action``, then a signed answer (refusals too)."""
        headers = Headers(headers)
        try:
            caller = self.verifier.verify_request(method, target, headers, body)
            key = self._idempotency_key(headers) if idempotent else None
            stored = self._claim(caller, key, idempotency.fingerprint(method, target, body))
            if stored is not None:
                return self._respond(caller.nonce, stored.status, decode_json_object(stored.body) or {})
            try:
                status, document = action(caller, body, key)
            except BaseException:
                if key:
                    self.store.run(lambda unit: unit.release_claim(caller.owner, key))
                raise
            return self._respond(caller.nonce, status, document)
        except PaymentError as refusal:
            return self._refusal(headers, refusal)

    @staticmethod
    def _idempotency_key(headers: Headers) -> str:
        if len(headers.get_all(IDEMPOTENCY_KEY)) > 1:
            raise PaymentError(ErrorCode.INVALID_REQUEST, "send the Idempotency-Key header once", status=400)
        return idempotency.check_key_format(headers.get(IDEMPOTENCY_KEY))

    def _claim(
        self, caller: Verified, key: str | None, fingerprint: str
    ) -> idempotency.StoredResponse | None:
        """Checks 4 and 5 in one commit, not flushed to disk: losing it loses nothing (no money moved yet)."""
        now = self.clock.now()

        def work(unit: GatewayUnitOfWork) -> idempotency.StoredResponse | None:
            self.verifier.remember(caller, unit)
            return idempotency.claim(unit, caller.owner, key, fingerprint, now) if key else None

        return self.store.run(work, durable=False)

    # -- endpoints ------------------------------------------------------------------------------
    def handle_payment(
        self, headers: Mapping[str, str], body: bytes, *, target: str = PAYMENTS_PATH
    ) -> Reply:
        """``POST /v1/payments``: steps 3.4 and 3.5 (``target``: the request target as sent)."""
        return self._handle(
            "POST",
            target,
            headers,
            body,
            lambda caller, raw, key: payments.pay(self, caller, raw, key),
            idempotent=True,
        )

    def handle_query(self, target: str, headers: Mapping[str, str], out_trade_no: str) -> Reply:
        """``GET /v1/payments/{out_trade_no}``: the reconciliation query (``target`` exactly as sent)."""

        def query(caller: Verified, _body: bytes, _key: str | None) -> tuple[int, dict]:
            record = self.store.find_payment(caller.owner, out_trade_no)
            if record is None:
                raise PaymentError(ErrorCode.PAYMENT_NOT_FOUND, "no payment with this out_trade_no")
            return 200, record.resource()

        return self._handle("GET", target, headers, b"", query, idempotent=False)

    def handle_refund(self, headers: Mapping[str, str], body: bytes, *, target: str = REFUNDS_PATH) -> Reply:
        """``POST /v1/refunds``: return money from a successful payment (``target`` as sent)."""
        return self._handle(
            "POST",
            target,
            headers,
            body,
            lambda caller, raw, key: payments.refund(self, caller, raw, key),
            idempotent=True,
        )

    # -- inspection ---------------------------------------------------------------------------------
    @property
    def db(self):
        """The gateway's database, for reading in notebooks and tests (the service never uses it)."""
        return self.store.db

    def balance(self, account_id: str) -> int:
        """An account's balance in minor units."""
        balance = self.store.balance(account_id)
        if balance is None:
            raise ledger.UnknownAccount(f"no account {account_id!r}")
        return balance

    def check_ledger(self) -> dict[str, int]:
        """Verify the books (see :func:`paycore.payment.gateway.ledger.check_invariants`)."""
        return ledger.check_invariants(self.store.ledger_report())
