"""Bytes <-> integers, as RFC 8017 section 4 defines them (I2OSP and OS2IP).

HAZARDOUS TEACHING CODE: part of :mod:`paycore.textbook`; never protects real payments.

RSA works on integers but messages are bytes. The seed article's sample passes a ``str`` to a
function that needs ``bytes``; here the conversion is explicit: big-endian, fixed length.

>>> i2osp(65, 2)
b'\\x00A'
>>> os2ip(b'\\x00A')
65
"""

from paycore.textbook._checks import require_int


def i2osp(x: int, length: int) -> bytes:
    """Integer-to-Octet-String: ``x`` as exactly ``length`` big-endian bytes.

    Raises ``ValueError`` ("integer too large", as RFC 8017 names it) if ``x >= 256^length``.
    """
    require_int("x", x)
    require_int("length", length)
    if length < 0:
        raise ValueError(f"length must be non-negative, got {length}")
    if x < 0:
        raise ValueError(f"x must be non-negative, got {x}")
    if x >> (8 * length):
        raise ValueError(
            f"integer too large: x needs {(x.bit_length() + 7) // 8} bytes, only {length} allowed"
        )
    return x.to_bytes(length, "big")


def os2ip(octets: bytes) -> int:
    """Octet-String-to-Integer: read ``octets`` as a big-endian unsigned integer."""
    if not isinstance(octets, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"octets must be bytes, got {type(octets).__name__}"
            + (" (encode text first, e.g. message.encode('utf-8'))" if isinstance(octets, str) else "")
        )
    return int.from_bytes(bytes(octets), "big")


def byte_length(n: int) -> int:
    """How many bytes ``n`` takes: ``k`` in RFC 8017 for a modulus.

    >>> byte_length(3233), byte_length(2**2048 - 1)
    (2, 256)
    """
    require_int("n", n)
    return (n.bit_length() + 7) // 8
