"""Checkers for notebook 02 (textbook RSA with paycore)."""

from __future__ import annotations

import json

from paycore.exercises.core import Wrong, exercise
from paycore.textbook import decrypt_int_no_crt, encrypt_int, generate_private_key, teaching_rng


@exercise(
    "02.1",
    "how many bytes a 1024-bit key carries with PKCS#1 v1.5 padding",
    level=1,
    answer="capacity_1024",
    hint="k = 1024 / 8 bytes, and PKCS#1 v1.5 padding needs 11 of them.",
)
def _capacity(answer: object) -> None:
    if answer == 128:
        raise Wrong("128 is the whole block (k); the padding takes 11 bytes of it")
    if answer != 1024 // 8 - 11:
        raise Wrong(
            f"capacity_1024 = {answer!r}: a 1024-bit modulus is k = 128 bytes long; subtract the padding"
        )


ORDERS = [
    {"order_id": "A1", "amount_fen": 12345, "currency": "CNY"},
    {"currency": "CNY", "items": [{"sku": "TEA-1", "name": "龙井茶", "quantity": 2}], "amount_fen": 9980},
    {"b": {"z": 1, "a": [3, 2, 1]}, "a": None, "c": True},
]


@exercise(
    "02.2",
    "canonical bytes for an order",
    level=2,
    answer="canonical",
    hint='json.dumps with sort_keys=True, separators=(",", ":"), ensure_ascii=False; then .encode("utf-8").',
)
def _canonical(answer: object) -> None:
    if not callable(answer):
        raise Wrong("canonical should be a function taking a dict and returning bytes")
    for order in ORDERS:
        expected = json.dumps(order, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
            "utf-8"
        )
        got = answer(order)
        if isinstance(got, str):
            raise Wrong("canonical returned a str: RSA and signatures work on bytes, so .encode('utf-8') it")
        if got != expected:
            raise Wrong(
                f"canonical({order!r}) gave {got!r}; expected the keys sorted, no spaces, UTF-8: {expected!r}"
            )
    shuffled = {"currency": "CNY", "order_id": "A1", "amount_fen": 12345}
    if answer(shuffled) != answer(ORDERS[0]):
        raise Wrong("the same order with its keys in another order must give the same bytes")


class _KeyWithoutD:
    """A private key that shows only what the CRT needs, so a solution cannot fall back on pow(c, d, n)."""

    def __init__(self, key) -> None:
        self.n, self.e, self.p, self.q = key.n, key.e, key.p, key.q
        self.dp, self.dq, self.qinv = key.dp, key.dq, key.qinv

    @property
    def d(self) -> int:
        raise Wrong(
            "crt_decrypt used key.d: decrypt with dp, dq and qinv only (that is the point of the CRT)"
        )


@exercise(
    "02.3",
    "decrypt with the Chinese Remainder Theorem yourself",
    level=3,
    answer="crt_decrypt",
    hint="m_p = pow(c, dp, p); m_q = pow(c, dq, q); h = qinv * (m_p - m_q) mod p; m = m_q + h * q.",
)
def _crt(answer: object) -> None:
    if not callable(answer):
        raise Wrong("crt_decrypt should be a function of (key, c)")
    key = generate_private_key(512, rng=teaching_rng("exercise 02.3"))
    for message in (0, 1, 12345, key.n - 1, key.p, 2**500 + 7):
        c = encrypt_int(key.public_key(), message)
        got = answer(_KeyWithoutD(key), c)
        if got != decrypt_int_no_crt(key, c):
            raise Wrong(
                f"crt_decrypt gave {got} for a ciphertext of {message}; check Garner's step: "
                "h = qinv * (m_p - m_q) mod p, then m = m_q + h * q"
            )
