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

Then the payer's debit, the merchant's credit, the payment record, the stored idempotent answer
and the notification go into the database in **one transaction**. Every answer -- success,
failure or refusal -- is signed with the gateway's key, bound to the request's nonce.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import errors as crypto_errors
from paycore import secure
from paycore.payment import errors, gateway_store, idempotency, ledger, outbox, replay, schemas
from paycore.payment.clock import Clock
from paycore.payment.errors import PaymentError
from paycore.payment.gateway_store import encode, find_payment, merchant_account, payment_resource
from paycore.payment.methods import Card, Wallet, method_from_json
from paycore.payment.money import Money
from paycore.payment.signatures import (
    IDEMPOTENCY_KEY,
    NONCE,
    MessageSigner,
    SignedHeaders,
    canonical_request,
    verify_signature,
)
from paycore.payment.storage import Database
from paycore.secure.keys import require_key_size

PAYMENTS_PATH = "/v1/payments"
REFUNDS_PATH = "/v1/refunds"


@dataclass(frozen=True)
class Response:
    """A signed gateway answer: status, JSON body bytes, and headers (signature included)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Caller:
    """Who sent an authenticated request, and the request's own nonce and timestamp."""

    merchant_id: str
    key_id: str
    nonce: str
    timestamp: int


def envelope_context(merchant_id: str, out_trade_no: str) -> bytes:
    """The associated data that binds a payer envelope to one merchant's one order."""
    return f"{merchant_id}\n{out_trade_no}".encode()


def new_id(prefix: str) -> str:
    """A random id such as ``pay_3f9c...`` (96 bits from the OS CSPRNG)."""
    return f"{prefix}_{secrets.token_hex(12)}"


class Gateway:
    """The payment platform's service, independent of HTTP (the FastAPI app is a thin adapter)."""

    def __init__(
        self,
        db: Database,
        private_key: rsa.RSAPrivateKey,
        clock: Clock,
        *,
        token_secret: bytes,
        algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
        window: int = replay.WINDOW_SECONDS,
    ) -> None:
        self.db = db
        self.private_key = private_key
        self.signer = MessageSigner(private_key, algorithm)
        self.key_id = self.signer.key_id
        self.clock = clock
        self.window = window
        self._token_secret = token_secret
        self._keys: dict[str, tuple[str, rsa.RSAPublicKey, str]] = {}

    # -- set-up: merchants and payers --------------------------------------------------------
    def register_merchant(
        self,
        merchant_id: str,
        name: str,
        public_key: rsa.RSAPublicKey,
        algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
    ) -> str:
        """Register a merchant's public key; only that key's algorithm is accepted from it.

        Keys under 2048 bits are refused here, once, rather than failing every request later.
        """
        require_key_size(public_key)
        scheme = secure.SignatureAlgorithm.parse(algorithm)
        kid = secure.key_id(public_key)
        with self.db.transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO merchant_keys "
                "(key_id, merchant_id, merchant_name, public_key_pem, algorithm) VALUES (?, ?, ?, ?, ?)",
                (kid, merchant_id, name, secure.public_key_to_pem(public_key), scheme.value),
            )
        self._keys.pop(kid, None)
        return kid

    def open_card_account(self, card: Card, balance: Money) -> str:
        """A card the (simulated) issuer knows, holding ``balance``. Only its token is stored."""
        return self._open_payer(card.token(self._token_secret), "card", card.masked, balance)

    def open_wallet_account(self, wallet: Wallet, balance: Money) -> str:
        """A stored-value wallet holding ``balance``."""
        return self._open_payer(wallet.account, "wallet", wallet.masked, balance)

    def _open_payer(self, method_id: str, kind: str, display: str, balance: Money) -> str:
        account_id = f"payer:{method_id}:{balance.currency}"
        with self.db.transaction() as connection:
            if connection.execute("SELECT 1 FROM payer_methods WHERE method_id = ?", (method_id,)).fetchone():
                return account_id
            ledger.open_account(connection, account_id, "payer", balance.currency)
            connection.execute(
                "INSERT INTO payer_methods (method_id, type, display, account_id) VALUES (?, ?, ?, ?)",
                (method_id, kind, display, account_id),
            )
            ledger.fund(
                connection,
                transfer_id=new_id("fund"),
                account_id=account_id,
                money=balance,
                now=self.clock.now(),
            )
        return account_id

    # -- the request pipeline -----------------------------------------------------------------
    def _respond(self, request_nonce: str, status: int, document: dict) -> Response:
        body = encode(document)
        headers = {
            "Content-Type": "application/json",
            **self.signer.sign_response(status, request_nonce, body, timestamp=int(self.clock.now())),
        }
        return Response(status, body, headers)

    def _refusal(self, headers: dict[str, str], error: PaymentError) -> Response:
        lowered = {name.lower(): value for name, value in headers.items()}
        return self._respond(lowered.get(NONCE.lower(), "-")[:64], error.status, error.to_json())

    def _merchant_key(self, key_id: str) -> tuple[str, rsa.RSAPublicKey, str]:
        """(merchant id, public key, algorithm) for a registered key id, parsed once and cached."""
        cached = self._keys.get(key_id)
        if cached is None:
            row = self.db.query_one(
                "SELECT merchant_id, public_key_pem, algorithm FROM merchant_keys WHERE key_id = ?", (key_id,)
            )
            if row is None:
                raise PaymentError(errors.UNKNOWN_KEY, "no merchant key has this key id", 401)
            cached = (
                row["merchant_id"],
                secure.load_public_key_pem(bytes(row["public_key_pem"])),
                row["algorithm"],
            )
            self._keys[key_id] = cached
        return cached

    def authenticate(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Caller:
        """Checks 1-3: key id, signature, window. Raises a :class:`PaymentError` refusal.

        Check 4, the nonce, is recorded by :meth:`_handle` in the same transaction as check 5.
        """
        signed = SignedHeaders.from_headers(headers)
        merchant_id, public_key, algorithm = self._merchant_key(signed.key_id)
        if signed.algorithm.value != algorithm:
            raise PaymentError(
                errors.UNSUPPORTED_ALGORITHM,
                f"this key signs with {algorithm}, not {signed.algorithm.value}",
                401,
            )
        verify_signature(
            public_key, signed, canonical_request(method, path, signed.timestamp, signed.nonce, body)
        )
        replay.check_timestamp(signed.timestamp, self.clock.now(), self.window)
        return Caller(merchant_id, signed.key_id, signed.nonce, signed.timestamp)

    def _handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes, action, *, idempotent: bool
    ) -> Response:
        """Checks 1-5 around ``action(caller, body, idempotency_key)``, then a signed answer."""
        try:
            caller = self.authenticate(method, path, headers, body)
            key = None
            if idempotent:
                lowered = {name.lower(): value for name, value in headers.items()}
                key = idempotency.check_key_format(lowered.get(IDEMPOTENCY_KEY.lower()))
            now = self.clock.now()
            # checks 4 and 5 in one commit, not flushed to disk: losing it loses nothing (no money moved yet)
            with self.db.transaction(durable=False) as connection:
                replay.remember_nonce(
                    connection, caller.key_id, caller.nonce, caller.timestamp, now, self.window
                )
                stored = (
                    idempotency.claim(
                        connection, caller.merchant_id, key, idempotency.fingerprint(method, path, body), now
                    )
                    if key
                    else None
                )
            if stored is not None:
                return self._respond(caller.nonce, stored.status, _json_object(stored.body))
            try:
                status, document = action(caller, body, key)
            except BaseException:
                if key:
                    with self.db.transaction() as connection:
                        idempotency.release(connection, caller.merchant_id, key)
                raise
            return self._respond(caller.nonce, status, document)
        except PaymentError as refusal:
            return self._refusal(headers, refusal)

    # -- endpoints ------------------------------------------------------------------------------
    def handle_payment(self, headers: dict[str, str], body: bytes) -> Response:
        """``POST /v1/payments``: steps 3.4 and 3.5."""
        return self._handle("POST", PAYMENTS_PATH, headers, body, self._create_payment, idempotent=True)

    def handle_query(self, path: str, headers: dict[str, str], out_trade_no: str) -> Response:
        """``GET /v1/payments/{out_trade_no}``: the reconciliation query."""

        def query(caller: Caller, _body: bytes, _key: None) -> tuple[int, dict]:
            row = self.db.query_one(
                "SELECT * FROM payments WHERE merchant_id = ? AND out_trade_no = ?",
                (caller.merchant_id, out_trade_no),
            )
            if row is None:
                raise PaymentError(errors.PAYMENT_NOT_FOUND, "no payment with this out_trade_no", 404)
            return 200, payment_resource(row)

        return self._handle("GET", path, headers, b"", query, idempotent=False)

    def handle_refund(self, headers: dict[str, str], body: bytes) -> Response:
        """``POST /v1/refunds``: return money from a successful payment."""
        return self._handle("POST", REFUNDS_PATH, headers, body, self._create_refund, idempotent=True)

    # -- the work ---------------------------------------------------------------------------------
    @staticmethod
    def _parse_for(caller: Caller, model: type[schemas.Strict], body: bytes):
        """Check 7's common part: strict parsing, the signer's own merchant id, a valid amount."""
        request = schemas.parse(model, body)
        if request.merchant_id != caller.merchant_id:
            raise PaymentError(
                errors.MERCHANT_MISMATCH, "merchant_id does not match the signing key's merchant", 403
            )
        try:
            return request, Money(request.amount.value, request.amount.currency)
        except ValueError as exc:
            raise PaymentError(errors.INVALID_REQUEST, f"invalid amount: {exc}", 422) from None

    @staticmethod
    def _answer_and_notify(
        connection,
        caller: Caller,
        idempotency_key: str,
        resource: dict,
        now: float,
        *,
        event_id: str,
        event_type: str,
        url: str,
    ) -> None:
        """In the money transaction: queue the signed notification and store the idempotent answer."""
        event = {"event_id": event_id, "type": event_type, "created_at": int(now), "data": resource}
        outbox.enqueue(
            connection,
            event_id=event_id,
            merchant_id=caller.merchant_id,
            url=url,
            body=encode(event),
            now=now,
        )
        idempotency.complete(connection, caller.merchant_id, idempotency_key, 200, encode(resource))

    def _read_payer(self, request: schemas.PaymentRequest, caller: Caller):
        try:
            plaintext = secure.open_envelope(
                self.private_key,
                request.payer.model_dump(),
                associated_data=envelope_context(caller.merchant_id, request.out_trade_no),
                expected_key_id=self.key_id,
            )
        except crypto_errors.DecryptionError:
            raise PaymentError(
                errors.PAYER_UNREADABLE,
                "the payer envelope could not be opened with the gateway's key for this order",
            ) from None
        try:
            return method_from_json(_json_object(plaintext))
        except (ValueError, TypeError) as exc:
            raise PaymentError(errors.INVALID_REQUEST, f"invalid payer: {exc}", 422) from None

    def _create_payment(self, caller: Caller, body: bytes, idempotency_key: str) -> tuple[int, dict]:
        request, money = self._parse_for(caller, schemas.PaymentRequest, body)
        method = self._read_payer(request, caller)
        now = self.clock.now()
        today = datetime.fromtimestamp(now, tz=timezone.utc)
        failure = None
        if isinstance(method, Card):
            method_id, kind, display = method.token(self._token_secret), "card", method.masked
            if method.expired(today.year, today.month):
                failure = "CARD_EXPIRED"
        else:
            method_id, kind, display = method.account, "wallet", method.masked
        payment_id, event_id = new_id("pay"), new_id("evt")
        with self.db.transaction() as connection:
            existing = find_payment(connection, caller.merchant_id, request.out_trade_no)
            if existing is not None:
                raise PaymentError(
                    errors.DUPLICATE_OUT_TRADE_NO,
                    f"out_trade_no was already used (that payment {existing['status']}); "
                    "query it instead of paying again",
                    409,
                )
            payer = connection.execute(
                "SELECT account_id FROM payer_methods WHERE method_id = ?", (method_id,)
            ).fetchone()
            account = payer["account_id"] if payer else None
            if failure is None and account is None:
                failure = "CARD_DECLINED" if kind == "card" else "WALLET_NOT_FOUND"
            if failure is None:
                destination = merchant_account(caller.merchant_id, money.currency)
                ledger.open_account(connection, destination, "merchant", money.currency)
                try:
                    ledger.transfer(
                        connection,
                        transfer_id=payment_id,
                        kind="payment",
                        reference=payment_id,
                        source=account,
                        destination=destination,
                        money=money,
                        now=now,
                    )
                except ledger.InsufficientFunds:
                    failure = "INSUFFICIENT_FUNDS"
                except ledger.UnknownAccount:
                    failure = "CURRENCY_NOT_SUPPORTED"
            status = "FAILED" if failure else "SUCCEEDED"
            connection.execute(
                "INSERT INTO payments (payment_id, merchant_id, out_trade_no, status, currency, amount, "
                "payer_type, payer_display, payer_account, failure_code, notify_url, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    payment_id,
                    caller.merchant_id,
                    request.out_trade_no,
                    status,
                    money.currency,
                    money.minor_units,
                    kind,
                    display,
                    account,
                    failure,
                    request.notify_url,
                    int(now),
                ),
            )
            resource = payment_resource(find_payment(connection, caller.merchant_id, request.out_trade_no))
            self._answer_and_notify(
                connection,
                caller,
                idempotency_key,
                resource,
                now,
                event_id=event_id,
                event_type="payment.failed" if failure else "payment.succeeded",
                url=request.notify_url,
            )
        return 200, resource

    def _create_refund(self, caller: Caller, body: bytes, idempotency_key: str) -> tuple[int, dict]:
        request, money = self._parse_for(caller, schemas.RefundRequest, body)
        now = self.clock.now()
        refund_id, event_id = new_id("ref"), new_id("evt")
        with self.db.transaction() as connection:
            payment = find_payment(connection, caller.merchant_id, request.out_trade_no)
            if payment is None:
                raise PaymentError(errors.PAYMENT_NOT_FOUND, "no payment with this out_trade_no", 404)
            if connection.execute(
                "SELECT 1 FROM refunds WHERE merchant_id = ? AND out_refund_no = ?",
                (caller.merchant_id, request.out_refund_no),
            ).fetchone():
                raise PaymentError(errors.REFUND_NOT_ALLOWED, "out_refund_no was already used", 409)
            if payment["status"] != "SUCCEEDED":
                raise PaymentError(errors.REFUND_NOT_ALLOWED, "only a succeeded payment can be refunded", 409)
            if money.currency != payment["currency"]:
                raise PaymentError(
                    errors.REFUND_NOT_ALLOWED, "refund currency differs from the payment's", 409
                )
            remaining = payment["amount"] - payment["refunded"]
            if money.minor_units > remaining:
                raise PaymentError(
                    errors.REFUND_NOT_ALLOWED,
                    f"refund of {money.minor_units} exceeds the {remaining} not yet refunded",
                    409,
                )
            try:
                ledger.transfer(
                    connection,
                    transfer_id=refund_id,
                    kind="refund",
                    reference=payment["payment_id"],
                    source=merchant_account(caller.merchant_id, money.currency),
                    destination=payment["payer_account"],
                    money=money,
                    now=now,
                )
            except ledger.InsufficientFunds:
                raise PaymentError(
                    errors.REFUND_NOT_ALLOWED, "the merchant's balance cannot cover this refund", 409
                ) from None
            connection.execute(
                "UPDATE payments SET refunded = refunded + ? WHERE payment_id = ?",
                (money.minor_units, payment["payment_id"]),
            )
            connection.execute(
                "INSERT INTO refunds (refund_id, merchant_id, out_refund_no, payment_id, amount, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    refund_id,
                    caller.merchant_id,
                    request.out_refund_no,
                    payment["payment_id"],
                    money.minor_units,
                    int(now),
                ),
            )
            resource = {
                "refund_id": refund_id,
                "out_refund_no": request.out_refund_no,
                "out_trade_no": request.out_trade_no,
                "status": "SUCCEEDED",
                "amount": money.to_json(),
                "payment_refunded_total": payment["refunded"] + money.minor_units,
                "created_at": int(now),
            }
            self._answer_and_notify(
                connection,
                caller,
                idempotency_key,
                resource,
                now,
                event_id=event_id,
                event_type="refund.succeeded",
                url=payment["notify_url"],
            )
        return 200, resource

    # -- inspection ---------------------------------------------------------------------------------
    def balance(self, account_id: str) -> int:
        """An account's balance in minor units."""
        row = self.db.query_one("SELECT balance FROM accounts WHERE account_id = ?", (account_id,))
        if row is None:
            raise ledger.UnknownAccount(f"no account {account_id!r}")
        return row["balance"]

    def check_ledger(self) -> dict[str, int]:
        """Verify the books (see :func:`paycore.payment.ledger.check_invariants`)."""
        with self.db.transaction() as connection:
            return ledger.check_invariants(connection)


def _json_object(body: bytes) -> dict:
    """Parse a JSON object from bytes the gateway holds (stored answers, opened envelopes)."""
    try:
        document = json.loads(body)
    except ValueError:
        raise PaymentError(errors.INVALID_REQUEST, "payer details are not valid JSON", 422) from None
    if not isinstance(document, dict):
        raise PaymentError(errors.INVALID_REQUEST, "payer details must be a JSON object", 422)
    return document


SCHEMA = gateway_store.FULL_SCHEMA
