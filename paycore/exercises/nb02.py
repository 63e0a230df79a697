"""Checkers for notebook 02 (textbook RSA with paycore)."""

from __future__ import annotations

import json

from paycore.exercises.core import Wrong, count, exercise, shown
from paycore.textbook import decrypt_int_no_crt, encrypt_int, generate_private_key, teaching_rng


@exercise(
    "02.1",
    "how many bytes a 1024-bit key carries with PKCS#1 v1.5 padding",
    level=1,
    answer="capacity_1024",
    hint="k = 1024 / 8 bytes, and PKCS#1 v1.5 padding needs 11 of them.",
)
def _capacity(answer: object) -> None:
    answer = count(answer, "capacity_1024")
    if answer == 128:
        raise Wrong("128 is the whole block (k); the padding takes 11 bytes of it")
    if answer != 1024 // 8 - 11:
        raise Wrong(
            f"capacity_1024 = {shown(answer)}: a 1024-bit modulus is k = 128 bytes long; subtract the padding"
        )


ORDERS = [
    {"order_id": "A1", "amount_fen": 12345, "currency": "CNY"},
    {"currency": "CNY", "items": [{"sku": "TEA-1", "name": "龙井茶", "quantity": 2}], "amount_fen": 9980},
    {"b": {"z": 1, "a": [3, 2, 1]}, "a": None, "c": True},
]


def canonical_bytes(order: dict) -> bytes:
    """The canonical encoding notebook 02 teaches (section 6): sorted keys, no spaces, UTF-8 as it is."""
    return json.dumps(order, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_diagnosis(got: bytes, order: dict) -> str:
    """What makes ``got`` differ from the canonical bytes of ``order``, in one short phrase."""
    near_misses = {
        "non-ASCII text was escaped (\\u9f99...): pass ensure_ascii=False so it stays UTF-8, as section 6 "
        "shows": json.dumps(order, sort_keys=True, separators=(",", ":")).encode("utf-8"),
        "the keys are not sorted: sort_keys=True": json.dumps(
            order, separators=(",", ":"), ensure_ascii=False
        ).encode(),
    }
    for advice, variant in near_misses.items():
        if got == variant:
            return advice
    expected = canonical_bytes(order)
    if got.replace(b" ", b"") == expected.replace(b" ", b""):
        return "it has spaces: separators=(',', ':')"
    first = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), None)
    if first is None:
        return f"it is {len(got)} bytes long, the canonical form {len(expected)}"
    return f"byte {first} is {shown(got[first : first + 12])}, expected {shown(expected[first : first + 12])}"


@exercise(
    "02.2",
    "canonical bytes for an order",
    level=2,
    answer="canonical",
    hint='json.dumps(order, sort_keys=True, separators=(",", ":"), ensure_ascii=False), then '
    '.encode("utf-8"): exactly the encoding of section 6.',
)
def _canonical(answer: object) -> None:
    if not callable(answer):
        raise Wrong("canonical should be a function taking a dict and returning bytes")
    for index, order in enumerate(ORDERS, 1):
        got = answer(order)
        if isinstance(got, str):
            raise Wrong("canonical returned a str: RSA and signatures work on bytes, so .encode('utf-8') it")
        if not isinstance(got, bytes):
            raise Wrong(f"canonical returned {shown(got)}; return bytes")
        if got != canonical_bytes(order):
            why = canonical_diagnosis(got, order)
            raise Wrong(f"canonical(order {index} of {len(ORDERS)}) is not canonical: {why}")
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
    messages = {"0": 0, "1": 1, "12345": 12345, "n - 1": key.n - 1, "p": key.p, "2**500 + 7": 2**500 + 7}
    for name, message in messages.items():
        c = encrypt_int(key.public_key(), message)
        got = answer(_KeyWithoutD(key), c)
        if got != decrypt_int_no_crt(key, c):
            raise Wrong(
                f"crt_decrypt gave {shown(got)} for the ciphertext of M = {name}; check Garner's step: "
                "h = qinv * (m_p - m_q) mod p, then m = m_q + h * q"
            )
