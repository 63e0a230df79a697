"""Textbook RSA, written from the mathematics.

.. warning::
   **HAZARDOUS TEACHING CODE -- NEVER USE IT TO PROTECT REAL PAYMENTS.**
   This is RSA exactly as the seed article's formulas give it (section 3): ``C = M^e mod n``
   and ``M = C^d mod n``, with no padding. It is deterministic (the same amount always gives
   the same ciphertext), malleable (anyone can multiply a ciphertext to change the amount),
   and pure Python cannot run in constant time, so it leaks timing. The attack lab breaks it
   on purpose. Real payments use :mod:`paycore.secure`, built on pyca/cryptography.

The layer is split like python-rsa, one idea per module:

* :mod:`~paycore.textbook.ntheory` -- extended Euclid, modular inverse, the totients;
* :mod:`~paycore.textbook.primes` -- trial division, Miller-Rabin, random primes;
* :mod:`~paycore.textbook.randomness` -- OS randomness, or a seeded RNG for teaching keys;
* :mod:`~paycore.textbook.keys` -- key objects and key generation;
* :mod:`~paycore.textbook.core` -- the RSA operations on integers;
* :mod:`~paycore.textbook.transform` -- bytes <-> integers (I2OSP / OS2IP).
"""

from paycore.textbook.core import (
    decrypt_int,
    decrypt_int_no_crt,
    encrypt_int,
    sign_int,
    verify_int,
)
from paycore.textbook.keys import RSAPrivateKey, RSAPublicKey, generate_private_key
from paycore.textbook.ntheory import carmichael_lambda, egcd, euler_totient, modinv
from paycore.textbook.primes import is_probable_prime, random_prime
from paycore.textbook.randomness import teaching_rng
from paycore.textbook.transform import i2osp, os2ip

__all__ = [
    "RSAPrivateKey",
    "RSAPublicKey",
    "carmichael_lambda",
    "decrypt_int",
    "decrypt_int_no_crt",
    "egcd",
    "encrypt_int",
    "euler_totient",
    "generate_private_key",
    "i2osp",
    "is_probable_prime",
    "modinv",
    "os2ip",
    "random_prime",
    "sign_int",
    "teaching_rng",
    "verify_int",
]
