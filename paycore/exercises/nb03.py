"""Checkers for notebook 03 (paddings: OAEP, PSS and MGF1 from RFC 8017)."""

from __future__ import annotations

import hashlib
from math import ceil

from paycore.exercises.core import Wrong, count, exercise, shown
from paycore.pkcs1 import mgf1, oaep_encode, oaep_max_message_length
from paycore.textbook import teaching_rng


@exercise(
    "03.1",
    "how many bytes OAEP can carry",
    level=1,
    answer="oaep_capacity",
    hint="k = the modulus length in whole bytes (round up), hLen = hashlib.new(hash).digest_size; "
    "OAEP spends hLen twice (seed and lHash) and two more bytes (the leading 00 and the 01).",
)
def _capacity(answer: object) -> None:
    if not callable(answer):
        raise Wrong("oaep_capacity should be a function of (bits, hash)")
    for bits, hash_name in (
        (2048, "sha256"),
        (2048, "sha1"),
        (3072, "sha256"),
        (4096, "sha512"),
        (1031, "sha256"),
    ):
        k, h_len = ceil(bits / 8), hashlib.new(hash_name).digest_size
        expected = oaep_max_message_length(k, hash=hash_name)
        got = count(answer(bits, hash_name), f"oaep_capacity({bits}, {hash_name!r})")
        if got == expected:
            continue
        call = f"oaep_capacity({bits}, {hash_name!r}) returned {shown(got)}"
        if got == k - 2 * h_len:
            raise Wrong(f"{call}: you forgot two single bytes of EM -- the leading 00 and the 01 separator")
        if got in (k - h_len - 2, k - h_len - 1):
            raise Wrong(f"{call}: OAEP spends hLen bytes twice, on the masked seed and on lHash")
        if got == k - 11:
            raise Wrong(f"{call}: k - 11 is PKCS#1 v1.5 padding; OAEP's overhead depends on the hash")
        if got == bits // 8 - 2 * h_len - 2:
            raise Wrong(
                f"{call}: a {bits}-bit modulus needs {k} bytes, not {bits // 8}: round k up, not down"
            )
        if got == k - 2 * 32 - 2:
            raise Wrong(f"{call}: that is the SHA-256 answer; {hash_name} has a {h_len}-byte digest")
        raise Wrong(f"{call}: count again -- k = {k} bytes; which fields of EM are not the message?")


MGF1_CASES = (
    (b"seed", 5, "sha256"),
    (b"seed", 32, "sha256"),
    (b"seed", 75, "sha256"),
    (b"", 3, "sha256"),
    (bytes(range(20)), 65, "sha1"),
    (b"0123456789abcdef0123456789abcdef", 200, "sha512"),
    (b"x", 0, "sha256"),
)


def _first_block_diagnosis(got: bytes, seed: bytes, hash_name: str) -> str | None:
    """Name the usual mistake if the first bytes of ``got`` match a plausible wrong first block."""
    mistakes = {
        "you hashed the seed alone: append a 4-byte counter, Hash(seed || 00 00 00 00) first": seed,
        "the counter starts at 0, not 1": seed + (1).to_bytes(4, "big"),
        "the counter is 4 bytes long (I2OSP(counter, 4)), not 1": seed + b"\x00",
        "the counter goes after the seed: Hash(seed || counter)": (0).to_bytes(4, "big") + seed,
    }
    for advice, data in mistakes.items():
        block = hashlib.new(hash_name, data).digest()
        if got and got[: len(block)] == block[: len(got)]:
            return advice
    return None


@exercise(
    "03.2",
    "MGF1, written yourself",
    level=2,
    answer="my_mgf1",
    hint="Concatenate hashlib.new(hash, seed + counter.to_bytes(4, 'big')).digest() for counter = 0, 1, 2, "
    "... until you have length bytes, then cut to length.",
)
def _mgf1(answer: object) -> None:
    if not callable(answer):
        raise Wrong("my_mgf1 should be a function of (seed, length, hash)")
    for seed, length, hash_name in MGF1_CASES:
        expected = mgf1(seed, length, hash=hash_name)
        got = answer(seed, length, hash_name)
        shown = repr(seed) if len(seed) <= 8 else f"<a {len(seed)}-byte seed>"
        call = f"my_mgf1({shown}, {length}, {hash_name!r})"
        if got == expected:
            continue
        if not isinstance(got, bytes):
            raise Wrong(f"{call} returned a {type(got).__name__}: a mask is bytes (b''.join the digests)")
        if len(got) != length:
            raise Wrong(
                f"{call} returned {len(got)} bytes: a mask must be exactly `length` bytes long, "
                "so cut the joined digests to length"
            )
        wrong_hash = [name for name in ("sha256", "sha1", "sha512") if got == mgf1(seed, length, hash=name)]
        if wrong_hash:
            raise Wrong(f"{call} used {wrong_hash[0]}: hash with the function named by the `hash` argument")
        diagnosis = _first_block_diagnosis(got, seed, hash_name)
        if diagnosis:
            raise Wrong(f"{call}: {diagnosis}")
        h_len = hashlib.new(hash_name).digest_size
        first_bad = next(i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b)
        if first_bad >= h_len:
            raise Wrong(
                f"{call}: the first block is right, but byte {first_bad} (block {first_bad // h_len}) is "
                "not; the counter is 4 bytes, big-endian, and grows by one per block"
            )
        raise Wrong(
            f"{call} differs from MGF1 from the first byte on: the mask is Hash(seed || 00 00 00 00) || ..."
        )


K = 128  # a 1024-bit modulus
H_LEN = 32  # SHA-256


def _seed(label: str) -> bytes:
    return teaching_rng(f"exercise 03.3 / {label}").randbytes(H_LEN)


def _block_from_db(db: bytes, seed: bytes, first: int = 0) -> bytes:
    """An EM around a hand-made DB (so that the checker can build blocks OAEP encoding never would)."""
    masked_db = bytes(a ^ b for a, b in zip(db, mgf1(seed, K - H_LEN - 1), strict=True))
    masked_seed = bytes(a ^ b for a, b in zip(seed, mgf1(masked_db, H_LEN), strict=True))
    return bytes([first]) + masked_seed + masked_db


VALID = (  # (what, message, label)
    ("an amount", b"12345", b""),
    ("an empty message", b"", b""),
    ("a message that contains 00 and 01 bytes", b"\x01\x00\x01 amount=9980 \x00\x01", b""),
    ("the longest message that fits", bytes(range(1, 63)), b""),
    ("a message with the label b'order 42'", b'{"card":"4111111111111111"}', b"order 42"),
)


def _broken_blocks() -> list[tuple[str, bytes, bytes]]:
    """(what is wrong, EM, label to decode with): each breaks exactly one of OAEP's checks."""
    good = oaep_encode(b"12345", K, seed=_seed("broken"))
    l_hash = hashlib.sha256(b"").digest()
    seed = _seed("hand-made")
    return [
        ("its first byte Y is 01, not 00", b"\x01" + good[1:], b""),
        (
            "it was made with label b'' and is decoded with label b'order 42' (lHash differs)",
            good,
            b"order 42",
        ),
        (
            "a non-zero byte (02) stands in PS, before the 01 separator",
            _block_from_db(
                l_hash + bytes(10) + b"\x02" + bytes(K - 2 * H_LEN - 18) + b"\x01" + b"12345", seed
            ),
            b"",
        ),
        (
            "DB has no 01 separator at all (lHash, then only zeros)",
            _block_from_db(l_hash + bytes(K - 2 * H_LEN - 1), seed),
            b"",
        ),
        ("it is one byte short (k - 1 bytes)", good[1:], b""),
    ]


@exercise(
    "03.3",
    "decode an OAEP block by hand",
    level=3,
    answer="my_oaep_decode",
    hint="seed = maskedSeed XOR MGF1(maskedDB, 32); DB = maskedDB XOR MGF1(seed, k - 33); then check Y == 0, "
    "DB[:32] == sha256(label), and that after it come zeros and then 01. Check everything, then raise "
    "one error with one message if anything failed.",
)
def _oaep_decode(answer: object) -> None:
    if not callable(answer):
        raise Wrong("my_oaep_decode should be a function of (em, k, label)")
    for what, message, label in VALID:
        em = oaep_encode(message, K, label=label, seed=_seed(what))
        try:
            got = answer(em, K, label)
        except NotImplementedError:
            raise
        except Exception as exc:
            raise Wrong(
                f"my_oaep_decode raised {type(exc).__name__} on a valid block ({what}): {str(exc)[:80]}"
            ) from None
        if got == message:
            continue
        if isinstance(got, bytes) and len(got) < len(message) and message.endswith(got):
            raise Wrong(
                f"for {what} you returned only {shown(got)}: the message starts after the FIRST 01 that "
                "follows lHash and the zeros, even if the message itself contains 01 bytes"
            )
        raise Wrong(f"for {what} my_oaep_decode returned {shown(got)}, expected {shown(message)}")
    failures = []
    for what, em, label in _broken_blocks():
        try:
            got = answer(em, K, label)
        except Exception as exc:  # any error is a refusal; that they all look alike is checked below
            failures.append((what, type(exc).__name__, str(exc)))
            continue
        raise Wrong(
            f"my_oaep_decode accepted a block where {what} (and returned {shown(got)}): raise an error"
        )
    kinds = {(name, text) for _, name, text in failures}
    if len(kinds) > 1:
        seen = "; ".join(f"{name}({shown(text, 30)})" for _, name, text in failures[:3])
        raise Wrong(
            f"every broken block is refused, but not alike ({seen} ...): an attacker who can tell the checks "
            "apart has an oracle (Manger's attack). Raise one error type with one message for all of them"
        )
