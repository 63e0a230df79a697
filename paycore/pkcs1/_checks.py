"""Argument guards shared by the padding modules (internal).

TEACHING CODE: part of :mod:`paycore.pkcs1`; never protects real payments (pure Python cannot
run in constant time). These guards run *before* any arithmetic, so a wrong argument always
gets a clear ``TypeError`` or ``ValueError`` -- never the uniform decryption error, which is
reserved for ciphertexts that fail to decrypt.
"""

from __future__ import annotations

from paycore.textbook import RSAPrivateKey, RSAPublicKey

_FOREIGN_KEY_HINT = (
    " (paycore.pkcs1 works on paycore.textbook keys: rebuild one with "
    "RSAPrivateKey.from_primes(p, q, e), or use paycore.secure for `cryptography` keys)"
)


def require_bytes(name: str, value: object) -> bytes:
    """Return ``value`` as ``bytes`` (bytes, bytearray and memoryview are accepted), else TypeError."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    hint = ""
    if isinstance(value, str):
        hint = f" (encode text first, e.g. {name}.encode('utf-8'))"
    elif isinstance(value, int) and not isinstance(value, bool):
        hint = " (turn an integer into bytes with i2osp(x, length))"
    raise TypeError(f"{name} must be bytes, got {type(value).__name__}{hint}")


def require_count(name: str, value: object) -> int:
    """Return ``value`` if it is a non-negative ``int`` (``bool`` refused), else TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def _foreign(key: object) -> str:
    return _FOREIGN_KEY_HINT if type(key).__module__.startswith("cryptography") else ""


def require_public_key(key: object, operation: str) -> RSAPublicKey:
    """The public key an encryption or verification needs; a private key gets a hint."""
    if isinstance(key, RSAPublicKey):
        return key
    hint = " (call private_key.public_key() for the public half)" if isinstance(key, RSAPrivateKey) else ""
    raise TypeError(f"{operation} needs an RSAPublicKey, got {type(key).__name__}{hint}{_foreign(key)}")


def require_private_key(key: object, operation: str) -> RSAPrivateKey:
    """The private key a decryption or signature needs: the public half cannot do it."""
    if isinstance(key, RSAPrivateKey):
        return key
    hint = " (only the private key can do this)" if isinstance(key, RSAPublicKey) else ""
    raise TypeError(f"{operation} needs an RSAPrivateKey, got {type(key).__name__}{hint}{_foreign(key)}")
