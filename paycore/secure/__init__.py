"""The production path: RSA the way a payments engineer uses it, on pyca/cryptography.

This is the only cryptography the payment flow uses. Everything here calls OpenSSL through
`cryptography <https://cryptography.io>`_ (constant-time where it matters, implicit rejection
for PKCS#1 v1.5 decryption, audited), adds the checks a payment system needs (2048-bit minimum,
key ids, strict envelope parsing), and translates every failure into paycore's own errors:
:class:`~paycore.errors.DecryptionError`, :class:`~paycore.errors.InvalidSignature`,
:class:`~paycore.errors.InvalidKey`.

* :mod:`~paycore.secure.keys` -- generate, save and load keys (PEM, passphrases), key ids;
* :mod:`~paycore.secure.encryption` -- RSA-OAEP-SHA256 for short secrets;
* :mod:`~paycore.secure.signing` -- RSA-PSS-SHA256, and PKCS#1 v1.5-SHA256 ("RSA2") for gateways;
* :mod:`~paycore.secure.envelope` -- hybrid encryption (RSA-OAEP + AES-256-GCM) of any size.
"""

from paycore.secure.encryption import max_plaintext_length, oaep_decrypt, oaep_encrypt
from paycore.secure.envelope import Envelope, open_envelope, seal
from paycore.secure.keys import (
    MIN_KEY_BITS,
    generate_private_key,
    key_id,
    load_private_key,
    load_private_key_pem,
    load_public_key,
    load_public_key_pem,
    private_key_to_pem,
    public_key_to_pem,
    save_private_key,
    save_public_key,
)
from paycore.secure.signing import SignatureAlgorithm, sign, verify

__all__ = [
    "MIN_KEY_BITS",
    "Envelope",
    "SignatureAlgorithm",
    "generate_private_key",
    "key_id",
    "load_private_key",
    "load_private_key_pem",
    "load_public_key",
    "load_public_key_pem",
    "max_plaintext_length",
    "oaep_decrypt",
    "oaep_encrypt",
    "open_envelope",
    "private_key_to_pem",
    "public_key_to_pem",
    "save_private_key",
    "save_public_key",
    "seal",
    "sign",
    "verify",
]
