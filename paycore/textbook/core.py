"""The RSA operations on integers: ``C = M^e mod n`` and ``M = C^d mod n``.

HAZARDOUS TEACHING CODE: part of :mod:`paycore.textbook`; never protects real payments.
Without padding these operations are deterministic and malleable -- ``E(a) * E(b) = E(a*b)``
-- and the attack lab exploits both. Pure Python's ``pow`` also takes time that depends on
the secret exponent, so nothing here resists timing attacks.

Every function checks its arguments the same way (as python-rsa's ``core`` does): the
message or ciphertext must be an ``int`` in ``[0, n)``, and the key must be the right half.

>>> from paycore.textbook.keys import RSAPrivateKey
>>> key = RSAPrivateKey.from_primes(61, 53, 17)
>>> encrypt_int(key.public_key(), 65)
2790
>>> decrypt_int(key, 2790)
65
"""

from paycore.errors import InvalidSignature
from paycore.textbook._checks import require_int, short
from paycore.textbook.keys import RSAPrivateKey, RSAPublicKey


def _require_key(key: object, kind: type, role: str) -> None:
    if not isinstance(key, kind):
        hint = " (call private_key.public_key() for the public half)" if kind is RSAPublicKey else ""
        raise TypeError(f"{role} needs an {kind.__name__}, got {type(key).__name__}{hint}")


def _require_below_n(name: str, value: object, n: int) -> int:
    require_int(name, value)
    if not 0 <= value < n:
        raise ValueError(
            f"{name} must satisfy 0 <= {name} < n = {short(n)}, got {short(value)}: "
            f"RSA works modulo n, so a larger {name} would be silently reduced (and lost)"
        )
    return value


def encrypt_int(public_key: RSAPublicKey, m: int) -> int:
    """``C = M^e mod n``: anyone with the public key can do this."""
    _require_key(public_key, RSAPublicKey, "encrypt_int")
    _require_below_n("m", m, public_key.n)
    return pow(m, public_key.e, public_key.n)


def decrypt_int(private_key: RSAPrivateKey, c: int) -> int:
    """``M = C^d mod n`` computed with the Chinese Remainder Theorem (RFC 8017, 5.1.2).

    Two exponentiations with half-size numbers (``C^dP mod p`` and ``C^dQ mod q``) cost about
    a quarter each of one full-size one, so the CRT is roughly 3-4x faster than
    :func:`decrypt_int_no_crt`; Garner's formula then glues the halves back together.
    """
    _require_key(private_key, RSAPrivateKey, "decrypt_int")
    _require_below_n("c", c, private_key.n)
    k = private_key
    m_p = pow(c, k.dp, k.p)
    m_q = pow(c, k.dq, k.q)
    h = (k.qinv * (m_p - m_q)) % k.p
    return m_q + h * k.q


def decrypt_int_no_crt(private_key: RSAPrivateKey, c: int) -> int:
    """``M = C^d mod n`` straight from the formula: the slow reference for :func:`decrypt_int`."""
    _require_key(private_key, RSAPrivateKey, "decrypt_int_no_crt")
    _require_below_n("c", c, private_key.n)
    return pow(c, private_key.d, private_key.n)


def sign_int(private_key: RSAPrivateKey, m: int) -> int:
    """Raw signature ``S = M^d mod n`` (with the CRT): only the private key can make it.

    Signing is the private-key operation; the seed article's sample mixes up which key does
    what. Raw signatures are forgeable (``S1 * S2`` signs ``M1 * M2``): real ones use PSS.
    """
    _require_key(private_key, RSAPrivateKey, "sign_int")
    _require_below_n("m", m, private_key.n)
    return decrypt_int(private_key, m)


def verify_int(public_key: RSAPublicKey, m: int, s: int) -> None:
    """Check ``S^e mod n == M``; return ``None`` or raise :class:`~paycore.errors.InvalidSignature`.

    >>> from paycore.textbook.keys import RSAPrivateKey
    >>> key = RSAPrivateKey.from_primes(61, 53, 17)
    >>> verify_int(key.public_key(), 65, sign_int(key, 65))
    >>> verify_int(key.public_key(), 66, sign_int(key, 65))
    Traceback (most recent call last):
    ...
    paycore.errors.InvalidSignature: signature does not match the message
    """
    _require_key(public_key, RSAPublicKey, "verify_int")
    _require_below_n("m", m, public_key.n)
    _require_below_n("s", s, public_key.n)
    if pow(s, public_key.e, public_key.n) != m:
        raise InvalidSignature("signature does not match the message")
