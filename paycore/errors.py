"""The exceptions paycore raises, shared by every layer.

Parameter mistakes (a wrong type, a value out of range) raise the built-in ``TypeError`` and
``ValueError`` with a message that says what to do instead. Cryptographic failures raise the
specific types below, so a caller cannot confuse "the signature is wrong" with "I passed the
wrong argument" -- and, following pyca/cryptography, ``verify`` functions return ``None`` or
raise: there is no boolean to forget to check.
"""


class PaycoreError(Exception):
    """Base class of every paycore-specific error."""


class DecryptionError(PaycoreError):
    """A ciphertext could not be decrypted.

    Every decryption failure raises this one type with one message: telling *why* a
    decryption failed is exactly the oracle that Bleichenbacher's and Manger's attacks need.
    """


class InvalidSignature(PaycoreError):
    """A signature did not verify against the message and public key."""


class InvalidKey(PaycoreError, ValueError):
    """A key was refused: wrong type, too small, unreadable, or the wrong passphrase."""


class EnvelopeFormatError(DecryptionError):
    """An envelope is malformed (not a paycore envelope, wrong version, bad field).

    Structure is checked before any secret is touched, so saying what is wrong leaks nothing;
    a well-formed envelope that fails to decrypt raises a plain :class:`DecryptionError`.
    """
