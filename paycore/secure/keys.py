"""Production RSA keys: generation, PEM files, passphrases and key ids.

Keys are pyca/cryptography's own ``RSAPrivateKey`` / ``RSAPublicKey`` objects, so anything
that speaks ``cryptography`` can use them. paycore adds the rules a payment system needs:

* **2048 bits minimum.** RSA-512 fell in 1999 and RSA-768 in 2009; NIST SP 800-57 allows 2048-bit
  keys until 2030. Smaller keys are refused when generated *and* when loaded.
* **Private keys at rest are PKCS#8 PEM, passphrase-encrypted when a passphrase is given, and
  written atomically with file mode 0600** (readable by the owner only; see
  :mod:`paycore.secure.files`: never half written, never through a planted symbolic link).
* **Loading is forgiving about format**: PKCS#8 (``BEGIN PRIVATE KEY``) and the older PKCS#1
  (``BEGIN RSA PRIVATE KEY``) both load, because payment SDKs hand out both and users trip on it.
* **A key id** names a public key: the SHA-256 of its DER SubjectPublicKeyInfo, in hex. Requests
  carry it (as WeChat Pay's ``Wechatpay-Serial`` does) so the receiver knows which key to use.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from paycore.errors import InvalidKey
from paycore.secure.files import write_atomically

MIN_KEY_BITS = 2048
PUBLIC_EXPONENT = 65537

RSAPrivateKey = rsa.RSAPrivateKey
RSAPublicKey = rsa.RSAPublicKey


def require_key_size(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> None:
    """Refuse keys below :data:`MIN_KEY_BITS`, saying why."""
    if key.key_size < MIN_KEY_BITS:
        raise InvalidKey(
            f"RSA keys must have at least {MIN_KEY_BITS} bits, got {key.key_size}: 512-bit RSA was factored "
            "in 1999 and 768-bit in 2009 (use 2048 or 3072 bits)"
        )


def generate_private_key(bits: int = MIN_KEY_BITS) -> rsa.RSAPrivateKey:
    """A new RSA key from the operating system's CSPRNG, ``e = 65537``."""
    if isinstance(bits, bool) or not isinstance(bits, int):
        raise TypeError(f"bits must be an int, got {type(bits).__name__}")
    if bits < MIN_KEY_BITS:
        raise InvalidKey(
            f"refusing to generate a {bits}-bit key: production keys need at least {MIN_KEY_BITS} bits "
            "(the seed article's 512-bit keys were factored publicly in 1999)"
        )
    if bits > 16384:
        raise InvalidKey(f"refusing to generate a {bits}-bit key: more than 16384 bits is impractical")
    return rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=bits)


def key_id(key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> str:
    """The SHA-256 fingerprint of the public key's DER SubjectPublicKeyInfo, as 64 hex digits."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    if not isinstance(public, rsa.RSAPublicKey):
        raise TypeError(f"key_id needs an RSA key, got {type(key).__name__}")
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _password_bytes(password: bytes | str | None) -> bytes | None:
    if password is None:
        return None
    if isinstance(password, str):
        password = password.encode("utf-8")
    if not isinstance(password, bytes) or not password:
        raise TypeError("password must be non-empty bytes or str, or None")
    return password


def private_key_to_pem(key: rsa.RSAPrivateKey, password: bytes | str | None = None) -> bytes:
    """PKCS#8 PEM, encrypted with the best available scheme when a password is given."""
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError(f"expected an RSA private key, got {type(key).__name__}")
    secret = _password_bytes(password)
    encryption = serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def public_key_to_pem(key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> bytes:
    """SubjectPublicKeyInfo PEM (``BEGIN PUBLIC KEY``), the format everyone reads."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    if not isinstance(public, rsa.RSAPublicKey):
        raise TypeError(f"expected an RSA key, got {type(key).__name__}")
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_key_pem(data: bytes, password: bytes | str | None = None) -> rsa.RSAPrivateKey:
    """Load a PKCS#8 or PKCS#1 PEM private key; refuse non-RSA and small keys."""
    if not isinstance(data, bytes):
        raise TypeError(f"PEM data must be bytes, got {type(data).__name__}")
    try:
        key = serialization.load_pem_private_key(data, password=_password_bytes(password))
    except TypeError:  # cryptography: a password for a plain key, or none for an encrypted one
        problem = (
            "it is not encrypted, but a passphrase was given"
            if password is not None
            else ("it is encrypted: give its passphrase")
        )
        raise InvalidKey(f"cannot load private key: {problem}") from None
    except (ValueError, UnsupportedAlgorithm):
        hint = " (wrong passphrase?)" if password is not None else ""
        raise InvalidKey(f"cannot load private key: not a valid PEM private key{hint}") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidKey(f"paycore uses RSA keys, this PEM holds a {type(key).__name__}")
    require_key_size(key)
    return key


def load_public_key_pem(data: bytes) -> rsa.RSAPublicKey:
    """Load a SubjectPublicKeyInfo or PKCS#1 (``BEGIN RSA PUBLIC KEY``) PEM public key."""
    if not isinstance(data, bytes):
        raise TypeError(f"PEM data must be bytes, got {type(data).__name__}")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise InvalidKey("cannot load public key: not a valid PEM public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidKey(f"paycore uses RSA keys, this PEM holds a {type(key).__name__}")
    require_key_size(key)
    return key


def save_private_key(
    path: str | os.PathLike,
    key: rsa.RSAPrivateKey,
    password: bytes | str | None = None,
    *,
    exclusive: bool = False,
) -> Path:
    """Write a private key as PKCS#8 PEM, atomically, with file mode 0600 (owner read/write only).

    With ``exclusive=True`` an existing file is never replaced (``FileExistsError``), checked
    atomically by the operating system rather than by a racy look-before-you-leap. A symbolic link
    at ``path`` is replaced by the key file, never written through.
    """
    return write_atomically(path, private_key_to_pem(key, password), mode=0o600, exclusive=exclusive)


def save_public_key(path: str | os.PathLike, key: rsa.RSAPublicKey | rsa.RSAPrivateKey) -> Path:
    """Write a public key as SubjectPublicKeyInfo PEM, atomically (world-readable is fine)."""
    return write_atomically(path, public_key_to_pem(key), mode=0o644)


def load_private_key(path: str | os.PathLike, password: bytes | str | None = None) -> rsa.RSAPrivateKey:
    """Read and load a PEM private key file."""
    return load_private_key_pem(Path(path).read_bytes(), password)


def load_public_key(path: str | os.PathLike) -> rsa.RSAPublicKey:
    """Read and load a PEM public key file."""
    return load_public_key_pem(Path(path).read_bytes())
