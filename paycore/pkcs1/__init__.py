"""PKCS#1 v2.2 (RFC 8017) paddings, written from the RFC on top of :mod:`paycore.textbook`.

.. warning::
   **TEACHING CODE -- NEVER USE IT TO PROTECT REAL PAYMENTS.**
   The encodings are byte-for-byte RFC 8017: they reproduce the published test vectors and
   interoperate with OpenSSL and pyca/cryptography in both directions. But pure Python cannot
   run in constant time -- big-integer arithmetic, comparisons and every branch take time that
   depends on the data -- so a patient attacker can time the decoders. Real payments use
   :mod:`paycore.secure`, built on pyca/cryptography.

Padding is what turns the textbook ``C = M^e mod n`` into something safe to use. One idea per
module, each one step of the RFC:

* :mod:`~paycore.pkcs1.hashes` -- hash names, digest sizes, DigestInfo prefixes;
* :mod:`~paycore.pkcs1.mgf` -- MGF1, the mask generation function;
* :mod:`~paycore.pkcs1.oaep` -- RSAES-OAEP encryption (use this one);
* :mod:`~paycore.pkcs1.v15_encrypt` -- RSAES-PKCS1-v1_5 encryption (legacy; the attack lab's target);
* :mod:`~paycore.pkcs1.pss` -- RSASSA-PSS signatures (use this one);
* :mod:`~paycore.pkcs1.v15_sign` -- RSASSA-PKCS1-v1_5 signatures (legacy, still widespread).

Every decryption failure raises :class:`~paycore.errors.DecryptionError` with one message and
every verification failure :class:`~paycore.errors.InvalidSignature` with one message; a wrong
*argument* (a ``str`` for bytes, an unknown hash, a message too long, a key too small) raises
``TypeError`` or ``ValueError`` before any arithmetic.

>>> from paycore.textbook import generate_private_key, teaching_rng
>>> key = generate_private_key(1024, rng=teaching_rng("pkcs1 doctest"))
>>> ciphertext = oaep_encrypt(key.public_key(), b"amount=12345")
>>> oaep_decrypt(key, ciphertext)
b'amount=12345'
>>> pss_verify(key.public_key(), b"order 42", pss_sign(key, b"order 42"))
"""

from paycore.pkcs1.hashes import HashAlgorithm, lookup_hash
from paycore.pkcs1.mgf import mgf1
from paycore.pkcs1.oaep import (
    OAEPEncoding,
    oaep_decode,
    oaep_decrypt,
    oaep_encode,
    oaep_encode_steps,
    oaep_encrypt,
    oaep_max_message_length,
)
from paycore.pkcs1.pss import (
    PSSEncoding,
    emsa_pss_encode,
    emsa_pss_encode_steps,
    emsa_pss_verify,
    pss_sign,
    pss_verify,
)
from paycore.pkcs1.v15_encrypt import (
    eme_pkcs1v15_decode,
    eme_pkcs1v15_encode,
    pkcs1v15_decrypt,
    pkcs1v15_encrypt,
)
from paycore.pkcs1.v15_sign import emsa_pkcs1v15_encode, pkcs1v15_sign, pkcs1v15_verify
from paycore.textbook.transform import i2osp, os2ip

__all__ = [
    "HashAlgorithm",
    "OAEPEncoding",
    "PSSEncoding",
    "eme_pkcs1v15_decode",
    "eme_pkcs1v15_encode",
    "emsa_pkcs1v15_encode",
    "emsa_pss_encode",
    "emsa_pss_encode_steps",
    "emsa_pss_verify",
    "i2osp",
    "lookup_hash",
    "mgf1",
    "oaep_decode",
    "oaep_decrypt",
    "oaep_encode",
    "oaep_encode_steps",
    "oaep_encrypt",
    "oaep_max_message_length",
    "os2ip",
    "pkcs1v15_decrypt",
    "pkcs1v15_encrypt",
    "pkcs1v15_sign",
    "pkcs1v15_verify",
    "pss_sign",
    "pss_verify",
]
