"""Reference solutions for notebook 03's exercises."""

import hashlib
import hmac
from math import ceil

from paycore.errors import DecryptionError
from paycore.pkcs1 import mgf1


def oaep_capacity(bits, hash):
    k = ceil(bits / 8)
    h_len = hashlib.new(hash).digest_size
    return k - 2 * h_len - 2


def my_mgf1(seed, length, hash):
    blocks = []
    counter = 0
    while sum(len(block) for block in blocks) < length:
        blocks.append(hashlib.new(hash, seed + counter.to_bytes(4, "big")).digest())
        counter += 1
    return b"".join(blocks)[:length]


def my_oaep_decode(em, k, label=b""):
    h_len = 32
    if len(em) != k:
        raise DecryptionError("decryption failed")
    y, masked_seed, masked_db = em[0], em[1 : 1 + h_len], em[1 + h_len :]
    seed = bytes(a ^ b for a, b in zip(masked_seed, mgf1(masked_db, h_len), strict=True))
    db = bytes(a ^ b for a, b in zip(masked_db, mgf1(seed, k - h_len - 1), strict=True))
    good = y == 0
    good &= hmac.compare_digest(db[:h_len], hashlib.sha256(label).digest())
    rest = db[h_len:].lstrip(b"\x00")  # PS is zeros; then must come 01
    good &= rest[:1] == b"\x01"
    if not good:
        raise DecryptionError("decryption failed")
    return rest[1:]
