"""MGF1, the mask generation function of RFC 8017 (appendix B.2.1).

TEACHING CODE: part of :mod:`paycore.pkcs1`; never protects real payments (pure Python cannot
run in constant time).

OAEP and PSS both need a *mask*: a pseudorandom byte string of any length, derived from a short
seed, that is XORed over the data to scramble it. MGF1 stretches a hash: it hashes the seed
followed by a 4-byte counter 0, 1, 2, ... and concatenates the digests until it has enough.

    mask = Hash(seed || 00 00 00 00) || Hash(seed || 00 00 00 01) || ...   (cut to ``length``)

Anyone who knows the seed can recompute the mask, which is what lets the receiver unmask.

>>> mgf1(b"seed", 5, hash="sha256").hex()
'336f28a022'
>>> mgf1(b"seed", 40, hash="sha256")[:5] == mgf1(b"seed", 5, hash="sha256")
True
"""

from __future__ import annotations

from paycore.pkcs1._checks import require_bytes, require_count
from paycore.pkcs1.hashes import lookup_hash


def mgf1(seed: bytes, length: int, *, hash: str = "sha256") -> bytes:
    """``MGF1(seed, length)`` over the named hash: ``length`` bytes of mask.

    RFC 8017 caps the mask at ``2^32 * hLen`` bytes (the counter has four bytes); longer
    requests raise ``ValueError`` before anything is computed.
    """
    seed = require_bytes("seed", seed)
    length = require_count("length", length)
    algorithm = lookup_hash(hash)
    if length > (2**32) * algorithm.digest_size:
        raise ValueError(f"mask too long: MGF1 with {algorithm.name} makes at most 2^32 * hLen bytes")
    blocks = -(-length // algorithm.digest_size)  # ceil(length / hLen)
    # C = I2OSP(counter, 4): the counter is ours and in range, so int.to_bytes does it without re-checking
    mask = b"".join(algorithm.digest(seed + counter.to_bytes(4, "big")) for counter in range(blocks))
    return mask[:length]
