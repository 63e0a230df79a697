"""The hash functions RFC 8017 names, by name: constructor, digest size, DigestInfo prefix.

TEACHING CODE: part of :mod:`paycore.pkcs1`; never protects real payments (pure Python cannot
run in constant time).

Every padding takes ``hash="sha256"`` (a name, not an object) and looks it up here. Names are
forgiving about spelling: ``"sha256"``, ``"SHA-256"`` and ``"sha_256"`` are one hash, and
``"sha512/256"`` is ``hashlib``'s ``"sha512_256"``.

PKCS#1 v1.5 signatures put the hash inside an ASN.1 ``DigestInfo`` structure, so the verifier
learns *which* hash was used. RFC 8017 (section 9.2, note 1) prints the DER bytes that come
before the digest; here they are derived from each hash's object identifier, so you can see
where the "magic" bytes come from:

>>> lookup_hash("SHA-256").digest_info_prefix.hex(" ")
'30 31 30 0d 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20'

SHA-3 (FIPS 202, after RFC 8017) works everywhere too, with the object identifiers NIST
registered for it. BLAKE2 works in MGF1, OAEP and PSS but has no DigestInfo, so PKCS#1 v1.5
signatures refuse it. MD5 and friends are not offered at all.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

_LIMIT_64 = 2**61 - 1
"""Input limit in bytes of SHA-1, SHA-224, SHA-256 (a 64-bit length field counts bits)."""
_LIMIT_128 = 2**125 - 1
"""Input limit in bytes of SHA-384, SHA-512 and SHA-512/t (a 128-bit length field)."""

# name (as hashlib spells it) -> (object identifier, input limit in bytes)
_DIGEST_INFO_HASHES = {
    "sha1": ("1.3.14.3.2.26", _LIMIT_64),
    "sha224": ("2.16.840.1.101.3.4.2.4", _LIMIT_64),
    "sha256": ("2.16.840.1.101.3.4.2.1", _LIMIT_64),
    "sha384": ("2.16.840.1.101.3.4.2.2", _LIMIT_128),
    "sha512": ("2.16.840.1.101.3.4.2.3", _LIMIT_128),
    "sha512_224": ("2.16.840.1.101.3.4.2.5", _LIMIT_128),
    "sha512_256": ("2.16.840.1.101.3.4.2.6", _LIMIT_128),
    # not in RFC 8017: SHA-3 came later; NIST's registry gives the identifiers, and a sponge has no limit
    "sha3_224": ("2.16.840.1.101.3.4.2.7", None),
    "sha3_256": ("2.16.840.1.101.3.4.2.8", None),
    "sha3_384": ("2.16.840.1.101.3.4.2.9", None),
    "sha3_512": ("2.16.840.1.101.3.4.2.10", None),
}

_OTHER_HASHES = ("blake2b", "blake2s")
"""Hashes without a DigestInfo: fine for MGF1, OAEP and PSS, refused by PKCS#1 v1.5 signatures."""


@dataclass(frozen=True)
class HashAlgorithm:
    """One hash function as the paddings need it."""

    name: str
    """The ``hashlib`` name, e.g. ``"sha512_256"``."""
    constructor: Callable[..., object]
    """Makes a ``hashlib`` object: ``constructor(data).digest()``."""
    digest_size: int
    """``hLen`` in RFC 8017: the digest length in bytes."""
    oid: str | None
    """The ASN.1 object identifier, or ``None`` for a hash without a DigestInfo."""
    max_input_bytes: int | None
    """The longest input the hash accepts (``None``: no limit)."""

    def digest(self, data: bytes) -> bytes:
        """``Hash(data)``."""
        return self.constructor(data).digest()

    @property
    def digest_info_prefix(self) -> bytes:
        """DER of ``DigestInfo`` up to the digest: ``SEQUENCE { SEQUENCE { oid, NULL }, OCTET STRING``."""
        if self.oid is None:
            supported = ", ".join(_DIGEST_INFO_HASHES)
            raise ValueError(
                f"there is no DigestInfo for {self.name}; PKCS#1 v1.5 signatures support {supported}"
            )
        algorithm = _der(0x30, _der(0x06, _oid_body(self.oid)) + b"\x05\x00")
        octet_string_header = bytes([0x04, self.digest_size])
        body_length = len(algorithm) + len(octet_string_header) + self.digest_size
        return bytes([0x30, body_length]) + algorithm + octet_string_header

    def check_input_length(self, length: int, what: str) -> None:
        """Raise ``ValueError`` if ``length`` bytes exceed this hash's input limit."""
        if self.max_input_bytes is not None and length > self.max_input_bytes:
            raise ValueError(f"{what} too long: {self.name} hashes at most {self.max_input_bytes} bytes")


def _der(tag: int, content: bytes) -> bytes:
    """A DER element with a short-form length (every DigestInfo part is under 128 bytes)."""
    return bytes([tag, len(content)]) + content


def _oid_body(dotted: str) -> bytes:
    """DER contents of an OID: ``40*a + b`` for the first two arcs, then base-128 digits."""
    arcs = [int(part) for part in dotted.split(".")]
    out = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        digits = [arc & 0x7F]
        arc >>= 7
        while arc:
            digits.append(0x80 | (arc & 0x7F))  # the high bit says "more digits follow"
            arc >>= 7
        out += bytes(reversed(digits))
    return bytes(out)


def _normalise(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "").replace("/", "")


def lookup_hash(name: str) -> HashAlgorithm:
    """The :class:`HashAlgorithm` called ``name`` (``"sha256"``, ``"SHA-512/256"``, ``"sha3_256"`` ...).

    >>> h = lookup_hash("sha1")
    >>> h.digest_size, h.digest(b"abc").hex()[:8]
    (20, 'a9993e36')
    """
    if not isinstance(name, str):
        raise TypeError(f'hash must be a name such as "sha256", got {type(name).__name__}')
    return _lookup(name)


@functools.lru_cache(maxsize=64)
def _lookup(name: str) -> HashAlgorithm:
    """The search behind :func:`lookup_hash`, done once per name (every padding call asks)."""
    wanted = _normalise(name)
    for hashlib_name, (oid, limit) in _DIGEST_INFO_HASHES.items():
        if _normalise(hashlib_name) == wanted:
            return _make(hashlib_name, oid, limit)
    for hashlib_name in _OTHER_HASHES:
        if _normalise(hashlib_name) == wanted:
            return _make(hashlib_name, None, None)
    raise ValueError(
        f"unknown hash {name!r}: choose one of {', '.join(_DIGEST_INFO_HASHES)} "
        f'(or {", ".join(_OTHER_HASHES)} for OAEP and PSS); "sha256" is the usual choice'
    )


def _make(hashlib_name: str, oid: str | None, limit: int | None) -> HashAlgorithm:
    constructor = getattr(hashlib, hashlib_name, None) or partial(hashlib.new, hashlib_name)
    try:
        size = constructor(b"").digest_size
    except ValueError as exc:  # listed by OpenSSL but unusable (e.g. disabled in FIPS mode)
        raise ValueError(f"hash {hashlib_name!r} is not available in this Python: {exc}") from None
    return HashAlgorithm(hashlib_name, constructor, size, oid, limit)
