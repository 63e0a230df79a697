"""The lab's deliberately VULNERABLE servers, verifier and signer. Never deploy any of them.

.. warning::
   Every class here is broken on purpose, in one named way, so that an attack has something
   to break. They are built on :mod:`paycore.textbook` and :mod:`paycore.pkcs1` (teaching
   code already) and then made worse. The production path, :mod:`paycore.secure`, has none
   of these flaws; each attack's production runner shows that.

* :class:`TextbookGateway` decrypts unpadded amounts: malleable (attack 2).
* :class:`RefusesRepeatsServer` decrypts anything once: blinding gets around it (attack 8).
* :class:`ParityLeakingServer` reveals whether a plaintext is odd (attack 9).
* :class:`PaddingLeakingServer` says when PKCS#1 v1.5 padding is bad (attack 10).
* :class:`LeakyOAEPServer` says when OAEP's first byte is not zero (attack 11).
* :class:`SloppyPKCS1v15Verifier` ignores what follows the hash (attack 12).
* :class:`FaultyCRTSigner` lets a glitch corrupt half of its CRT computation (attack 13).
"""

from __future__ import annotations

from paycore.errors import DecryptionError, InvalidSignature
from paycore.pkcs1 import eme_pkcs1v15_decode, emsa_pkcs1v15_encode, lookup_hash, oaep_decode
from paycore.textbook import RSAPrivateKey, decrypt_int, i2osp, os2ip


class RepeatRefused(DecryptionError):
    """:class:`RefusesRepeatsServer` has decrypted this ciphertext before and will not again."""


class PaddingError(DecryptionError):
    """:class:`PaddingLeakingServer`'s own message for a block that does not start ``00 02``."""


class IntegerTooLarge(DecryptionError):
    """:class:`LeakyOAEPServer`'s own message for a block whose first byte is not zero."""


class TextbookGateway:
    """VULNERABLE: a gateway that receives amounts encrypted with textbook RSA and charges them."""

    def __init__(self, key: RSAPrivateKey) -> None:
        self._key = key

    def charge(self, ciphertext: int) -> int:
        """Decrypt the amount (minor units) and 'charge' it: no padding, so no integrity check."""
        return decrypt_int(self._key, ciphertext)


class RefusesRepeatsServer:
    """VULNERABLE: decrypts textbook ciphertexts, each one only once (a replay filter, not a defence)."""

    def __init__(self, key: RSAPrivateKey) -> None:
        self._key = key
        self._seen: set[int] = set()

    def decrypt(self, ciphertext: int) -> int:
        if ciphertext in self._seen:
            raise RepeatRefused("this ciphertext was decrypted before; refusing to decrypt it again")
        self._seen.add(ciphertext)
        return decrypt_int(self._key, ciphertext)


class ParityLeakingServer:
    """VULNERABLE: tells anyone whether a ciphertext decrypts to an odd number (one bit per query)."""

    def __init__(self, key: RSAPrivateKey) -> None:
        self._key = key

    def is_odd(self, ciphertext: int) -> bool:
        return decrypt_int(self._key, ciphertext) % 2 == 1


class PaddingLeakingServer:
    """VULNERABLE: PKCS#1 v1.5 decryption that reports a bad ``00 02`` header with its own error.

    Like a TLS server that answered bad padding with a different alert, it lets the caller
    tell "the header was wrong" from any other failure: Bleichenbacher's oracle.
    """

    def __init__(self, key: RSAPrivateKey) -> None:
        self._key = key

    def decrypt(self, ciphertext: bytes) -> bytes:
        k = self._key.byte_length
        em = i2osp(decrypt_int(self._key, os2ip(ciphertext)), k)
        if em[:2] != b"\x00\x02":
            raise PaddingError("bad padding: the block does not start with 00 02")
        return eme_pkcs1v15_decode(em, k)


class LeakyOAEPServer:
    """VULNERABLE: OAEP decryption that checks the first byte first and says so when it is not zero.

    RFC 8017 (7.1.2, note) warns that an attacker must not be able to tell this failure from
    the others; Manger (2001) showed why.
    """

    def __init__(self, key: RSAPrivateKey) -> None:
        self._key = key

    def decrypt(self, ciphertext: bytes) -> bytes:
        k = self._key.byte_length
        em = i2osp(decrypt_int(self._key, os2ip(ciphertext)), k)
        if em[0] != 0:
            raise IntegerTooLarge("decryption error: integer too large")
        return oaep_decode(em, k)


class SloppyPKCS1v15Verifier:
    """VULNERABLE: parses ``00 01 ff.. 00 DigestInfo hash`` and never checks that the hash ends the block."""

    def __init__(self, n: int, e: int, hash: str = "sha256") -> None:
        self.n, self.e = n, e
        self._hash = lookup_hash(hash)

    def verify(self, message: bytes, signature: bytes) -> None:
        k = (self.n.bit_length() + 7) // 8
        em = i2osp(pow(os2ip(signature), self.e, self.n), k)
        if em[:2] != b"\x00\x01":
            raise InvalidSignature("signature does not match the message")
        position = 2
        while position < k and em[position] == 0xFF:
            position += 1
        prefix = self._hash.digest_info_prefix
        digest_at = position + 1 + len(prefix)
        if position == 2 or position == k or em[position] != 0x00 or em[position + 1 : digest_at] != prefix:
            raise InvalidSignature("signature does not match the message")
        if em[digest_at : digest_at + self._hash.digest_size] != self._hash.digest(message):
            raise InvalidSignature("signature does not match the message")
        # BUG (on purpose): whatever follows the digest is ignored.


def glitched_crt_power(m: int, p: int, q: int, dp: int, dq: int, qinv: int) -> int:
    """``m^d mod n`` by the CRT, with one bit of the mod-q half flipped (a voltage glitch, say)."""
    m_p = pow(m, dp, p)
    m_q = pow(m, dq, q) ^ 1  # the fault
    return m_q + q * ((qinv * (m_p - m_q)) % p)


class FaultyCRTSigner:
    """VULNERABLE: PKCS#1 v1.5-SHA256 signatures by the CRT, with no check of the result.

    ``glitch=True`` simulates a fault during one signature. A careful signer verifies
    ``s^e = EM`` before releasing ``s`` (OpenSSL does); this one does not.
    """

    def __init__(self, key: RSAPrivateKey) -> None:
        self._key = key

    def sign(self, message: bytes, *, glitch: bool = False) -> bytes:
        key = self._key
        em = os2ip(emsa_pkcs1v15_encode(message, key.byte_length))
        if not glitch:
            return i2osp(decrypt_int(key, em), key.byte_length)
        return i2osp(glitched_crt_power(em, key.p, key.q, key.dp, key.dq, key.qinv), key.byte_length)
