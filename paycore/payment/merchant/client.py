"""The merchant's client of the gateway API: sign, send with backoff, verify, parse -- or raise.

Every answer is checked by the protocol's one verifier against the gateway's *pinned* key and
algorithm, bound to the nonce of the request it answers, before a byte of it is parsed; an
unsigned or wrongly signed answer is treated as forged (``GATEWAY_RESPONSE_INVALID``). A network
failure is retried with the *same* bytes and the same ``Idempotency-Key`` (freshly signed), after
a growing pause; when every attempt fails the caller learns ``GATEWAY_UNAVAILABLE`` and must not
guess what happened. A signed refusal comes back as :class:`GatewayRefusal`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from paycore.payment.clock import Clock
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.protocol import (
    IDEMPOTENCY_KEY,
    NONCE,
    PAYMENTS_PATH,
    REFUNDS_PATH,
    payment_path,
    schemas,
)
from paycore.payment.protocol.signing import MessageSigner, MessageVerifier
from paycore.payment.protocol.wire import Link, LinkError, Reply, decode_json_object

SEND_ATTEMPTS = 3
BACKOFF_SECONDS = (0.05, 0.2)
"""Pauses after the first and the second failed attempt (``SEND_ATTEMPTS`` - 1 of them)."""
Resource = TypeVar("Resource", bound=schemas.Strict)


class GatewayRefusal(Exception):
    """The gateway answered, signed, with a refusal: its HTTP status, code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message

    def passed_on(self) -> PaymentError:
        """The refusal as the merchant passes it to its own user: the gateway's code, if it is one of ours."""
        try:
            code = ErrorCode(self.code)
        except ValueError:
            return _invalid(f"the gateway refused with an unknown code {self.code!r}")
        return PaymentError(
            code, self.message or "refused", status=self.status if self.status in code.statuses else None
        )


def _invalid(message: str) -> PaymentError:
    return PaymentError(ErrorCode.GATEWAY_RESPONSE_INVALID, message)


class GatewayClient:
    """Talks to the gateway on the merchant's behalf (see the module docstring)."""

    def __init__(
        self,
        signer: MessageSigner,
        verifier: MessageVerifier,
        link: Link,
        gateway_url: str,
        clock: Clock,
        *,
        attempts: int = SEND_ATTEMPTS,
        backoff: tuple[float, ...] = BACKOFF_SECONDS,
    ) -> None:
        self.signer = signer
        self.verifier = verifier
        self.link = link
        self.gateway_url = gateway_url.rstrip("/")
        self.clock = clock
        self.attempts = attempts
        self.backoff = backoff

    @property
    def gateway_key_id(self) -> str:
        """The key id every answer must be signed with: the gateway's, pinned."""
        return self.verifier.keys.key_id

    # -- the three calls of the gateway API -------------------------------------------------------
    def pay(
        self, body: bytes, *, idempotency_key: str, on_signed: Callable[[int], None]
    ) -> schemas.PaymentResource:
        """``POST /v1/payments``; the signed payment, or :class:`GatewayRefusal`."""
        reply = self.send("POST", PAYMENTS_PATH, body, idempotency_key=idempotency_key, on_signed=on_signed)
        return self._resource(reply, schemas.PaymentResource, "payment")

    def query(self, out_trade_no: str) -> schemas.PaymentResource:
        """``GET /v1/payments/{out_trade_no}``; the signed payment, or :class:`GatewayRefusal` (404: none)."""
        return self._resource(
            self.send("GET", payment_path(out_trade_no), b""), schemas.PaymentResource, "payment"
        )

    def refund(self, body: bytes, *, idempotency_key: str) -> schemas.RefundResource:
        """``POST /v1/refunds``; the signed refund, or :class:`GatewayRefusal`."""
        reply = self.send("POST", REFUNDS_PATH, body, idempotency_key=idempotency_key)
        return self._resource(reply, schemas.RefundResource, "refund")

    # -- the machinery ------------------------------------------------------------------------------
    def send(
        self,
        method: str,
        target: str,
        body: bytes,
        *,
        idempotency_key: str | None = None,
        on_signed: Callable[[int], None] | None = None,
    ) -> Reply:
        """Sign and send; resend the same bytes on a network failure; return the verified reply.

        ``on_signed(timestamp)`` runs before each attempt leaves, so the caller can record how long
        the gateway might still accept it.
        """
        url = self.gateway_url + target
        for attempt in range(self.attempts):
            if attempt:
                self.clock.sleep(self.backoff[min(attempt, len(self.backoff)) - 1])
            timestamp = int(self.clock.now())
            if on_signed is not None:
                on_signed(timestamp)
            headers = {
                "Content-Type": "application/json",
                **self.signer.sign_request(method, target, body, timestamp=timestamp),
            }
            if idempotency_key:
                headers[IDEMPOTENCY_KEY] = idempotency_key
            try:
                reply = self.link.request(method, url, headers, body)
            except LinkError:
                continue
            self.verify_reply(reply, headers[NONCE])
            return reply
        raise PaymentError(ErrorCode.GATEWAY_UNAVAILABLE, "the payment platform could not be reached")

    def verify_reply(self, reply: Reply, request_nonce: str) -> dict:
        """Accept an answer only if the gateway's key signed it for this request; return its JSON object."""
        try:
            self.verifier.verify_response(reply.status, request_nonce, reply.headers, reply.body)
        except PaymentError as exc:
            if exc.code is ErrorCode.MALFORMED_HEADERS:
                raise _invalid(
                    f"the gateway's answer (HTTP {reply.status}) is not signed: treated as forged"
                ) from None
            raise _invalid(f"the gateway's answer failed checks: {exc.message}") from None
        document = decode_json_object(reply.body)
        if document is None:
            raise _invalid("the gateway's answer is not a JSON object")
        return document

    @staticmethod
    def _resource(reply: Reply, model: type[Resource], what: str) -> Resource:
        document = decode_json_object(reply.body) or {}
        if reply.status != 200:
            error = document.get("error")
            error = error if isinstance(error, dict) else {}
            raise GatewayRefusal(
                reply.status, str(error.get("code", "UNKNOWN")), str(error.get("message", ""))
            )
        try:
            return model.model_validate(document)
        except ValueError:
            raise _invalid(f"the gateway's answer is not a {what}") from None
