"""RSA-OAEP with SHA-256: encrypting short secrets (a card number, an AES key) to a public key.

OAEP mixes fresh randomness into every encryption, so equal amounts give unrelated ciphertexts
(no dictionary attack), and its decoding checks make a tampered ciphertext fail instead of
decrypting to a different amount (no malleability). It carries at most ``k - 2*32 - 2`` bytes
(190 for RSA-2048); anything larger goes in the :mod:`~paycore.secure.envelope`.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from paycore.errors import DecryptionError
from paycore.secure.keys import require_key_size

_HASH_LENGTH = 32  # SHA-256
_DECRYPTION_FAILED = "decryption failed"


_OAEP_NO_LABEL = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _oaep(label: bytes | None) -> padding.OAEP:
    if label is not None and not isinstance(label, bytes):
        raise TypeError(f"label must be bytes or None, got {type(label).__name__}")
    if not label:
        return _OAEP_NO_LABEL  # made once: the envelope wraps a key with it on every message
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=label)


def max_plaintext_length(key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> int:
    """The most bytes one RSA-OAEP-SHA256 encryption can carry with this key: ``k - 66``."""
    return (key.key_size + 7) // 8 - 2 * _HASH_LENGTH - 2


def oaep_encrypt(public_key: rsa.RSAPublicKey, plaintext: bytes, *, label: bytes | None = None) -> bytes:
    """Encrypt ``plaintext`` (at most :func:`max_plaintext_length` bytes) to ``public_key``."""
    if not isinstance(public_key, rsa.RSAPublicKey):
        hint = (
            " (encrypt to the recipient's *public* key)" if isinstance(public_key, rsa.RSAPrivateKey) else ""
        )
        raise TypeError(f"oaep_encrypt needs an RSA public key, got {type(public_key).__name__}{hint}")
    if not isinstance(plaintext, bytes):
        raise TypeError(f"plaintext must be bytes, got {type(plaintext).__name__}")
    require_key_size(public_key)
    limit = max_plaintext_length(public_key)
    if len(plaintext) > limit:
        raise ValueError(
            f"message too long for RSA-OAEP-SHA256 with a {public_key.key_size}-bit key: "
            f"at most {limit} bytes, got {len(plaintext)}; "
            "use paycore.secure.seal (the hybrid envelope) for larger data"
        )
    return public_key.encrypt(plaintext, _oaep(label))


def oaep_decrypt(private_key: rsa.RSAPrivateKey, ciphertext: bytes, *, label: bytes | None = None) -> bytes:
    """Decrypt; any failure raises :class:`~paycore.errors.DecryptionError` with one message."""
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError(f"oaep_decrypt needs an RSA private key, got {type(private_key).__name__}")
    if not isinstance(ciphertext, bytes):
        raise TypeError(f"ciphertext must be bytes, got {type(ciphertext).__name__}")
    require_key_size(private_key)
    try:
        return private_key.decrypt(ciphertext, _oaep(label))
    except ValueError:
        raise DecryptionError(_DECRYPTION_FAILED) from None
