"""Interoperability with pyca/cryptography (OpenSSL) and PyCryptodome, in both directions.

Our ciphertexts must decrypt and our signatures verify with an independent implementation, and
theirs with ours. PKCS#1 v1.5 signatures are deterministic, so there the bytes must be equal.
"""

import pytest
from Crypto.Cipher import PKCS1_OAEP
from Crypto.Hash import SHA3_256
from Crypto.PublicKey import RSA as PyCryptodomeRSA
from cryptography.exceptions import InvalidSignature as TheirInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from paycore.errors import DecryptionError, InvalidSignature
from paycore.pkcs1 import (
    lookup_hash,
    oaep_decrypt,
    oaep_encrypt,
    pkcs1v15_decrypt,
    pkcs1v15_encrypt,
    pkcs1v15_sign,
    pkcs1v15_verify,
    pss_sign,
    pss_verify,
)
from paycore.textbook import encrypt_int, i2osp, os2ip, teaching_rng
from tests.pkcs1.helpers import pinned_pair

THEIR_HASH = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha512_224": hashes.SHA512_224,
    "sha512_256": hashes.SHA512_256,
    "sha3_224": hashes.SHA3_224,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}
MESSAGE = b'{"amount_fen":12345,"currency":"CNY","order_id":"A001"}'  # fits OAEP-SHA256 at 1024 bits


@pytest.fixture(scope="module", params=[1024, 2048], ids=lambda bits: f"rsa{bits}")
def pair(request):
    return pinned_pair(request.param)


def their_oaep(hash_name, label, mgf_name=None):
    mgf = THEIR_HASH[mgf_name or hash_name]()
    return padding.OAEP(mgf=padding.MGF1(mgf), algorithm=THEIR_HASH[hash_name](), label=label or None)


@pytest.mark.parametrize("label", [b"", b"order A20261127001"], ids=["no-label", "label"])
@pytest.mark.parametrize("hash_name", ["sha1", "sha256"])
def test_oaep_both_ways(pair, hash_name, label):
    ours, theirs = pair
    ciphertext = oaep_encrypt(ours.public_key(), MESSAGE, hash=hash_name, label=label)
    assert theirs.decrypt(ciphertext, their_oaep(hash_name, label)) == MESSAGE
    ciphertext = theirs.public_key().encrypt(MESSAGE, their_oaep(hash_name, label))
    assert oaep_decrypt(ours, ciphertext, hash=hash_name, label=label) == MESSAGE


def test_oaep_with_sha256_and_mgf1_sha1_both_ways():
    """Java's common "OAEPWithSHA-256AndMGF1Padding" keeps MGF1 on SHA-1: ``mgf_hash`` says so."""
    ours, theirs = pinned_pair(2048)
    ciphertext = oaep_encrypt(ours.public_key(), MESSAGE, hash="sha256", mgf_hash="sha1")
    assert theirs.decrypt(ciphertext, their_oaep("sha256", b"", "sha1")) == MESSAGE
    ciphertext = theirs.public_key().encrypt(MESSAGE, their_oaep("sha256", b"", "sha1"))
    assert oaep_decrypt(ours, ciphertext, hash="sha256", mgf_hash="sha1") == MESSAGE
    with pytest.raises(DecryptionError):
        oaep_decrypt(ours, ciphertext, hash="sha256")


def test_oaep_sha3_with_pycryptodome_both_ways():
    """`cryptography` has no OAEP with SHA-3; PyCryptodome, another independent implementation, does."""
    ours, theirs = pinned_pair(2048)
    numbers = theirs.private_numbers()
    their_key = PyCryptodomeRSA.construct((ours.n, ours.e, numbers.d, ours.p, ours.q))
    cipher = PKCS1_OAEP.new(their_key, hashAlgo=SHA3_256, label=b"L")
    assert cipher.decrypt(oaep_encrypt(ours.public_key(), MESSAGE, hash="sha3_256", label=b"L")) == MESSAGE
    assert oaep_decrypt(ours, cipher.encrypt(MESSAGE), hash="sha3_256", label=b"L") == MESSAGE


def their_pss(hash_name, salt_length):
    return padding.PSS(mgf=padding.MGF1(THEIR_HASH[hash_name]()), salt_length=salt_length)


@pytest.mark.parametrize("hash_name", ["sha1", "sha256", "sha384", "sha512_256", "sha3_256"])
def test_pss_both_ways_with_digest_length_salts(pair, hash_name):
    ours, theirs = pair
    h = THEIR_HASH[hash_name]()
    signature = pss_sign(ours, MESSAGE, hash=hash_name)
    theirs.public_key().verify(signature, MESSAGE, their_pss(hash_name, padding.PSS.DIGEST_LENGTH), h)
    theirs.public_key().verify(signature, MESSAGE, their_pss(hash_name, padding.PSS.AUTO), h)
    signature = theirs.sign(MESSAGE, their_pss(hash_name, padding.PSS.DIGEST_LENGTH), h)
    assert pss_verify(ours.public_key(), MESSAGE, signature, hash=hash_name) is None
    with pytest.raises(InvalidSignature):
        pss_verify(ours.public_key(), MESSAGE + b" ", signature, hash=hash_name)


def test_pss_with_the_maximum_salt_both_ways(pair):
    """`cryptography`'s ``PSS.MAX_LENGTH`` fills EM with salt: sLen = emLen - hLen - 2.

    The verifier must be told that length (PSS does not encode it); the default (hLen) fails.
    """
    ours, theirs = pair
    em_len = -(-(ours.bits - 1) // 8)
    max_salt = em_len - lookup_hash("sha256").digest_size - 2
    signature = theirs.sign(MESSAGE, their_pss("sha256", padding.PSS.MAX_LENGTH), hashes.SHA256())
    assert pss_verify(ours.public_key(), MESSAGE, signature, salt_length=max_salt) is None
    with pytest.raises(InvalidSignature):
        pss_verify(ours.public_key(), MESSAGE, signature)
    signature = pss_sign(ours, MESSAGE, salt_length=max_salt)
    theirs.public_key().verify(
        signature, MESSAGE, their_pss("sha256", padding.PSS.MAX_LENGTH), hashes.SHA256()
    )
    with pytest.raises(TheirInvalidSignature):
        theirs.public_key().verify(signature, MESSAGE, their_pss("sha256", 32), hashes.SHA256())


@pytest.mark.parametrize("hash_name", sorted(THEIR_HASH))
def test_pkcs1v15_signatures_are_byte_identical(pair, hash_name):
    """Deterministic, so equal bytes: this checks every DigestInfo prefix against OpenSSL's."""
    ours, theirs = pair
    h = THEIR_HASH[hash_name]()
    signature = pkcs1v15_sign(ours, MESSAGE, hash=hash_name)
    assert signature == theirs.sign(MESSAGE, padding.PKCS1v15(), h)
    theirs.public_key().verify(signature, MESSAGE, padding.PKCS1v15(), h)
    assert pkcs1v15_verify(ours.public_key(), MESSAGE, signature, hash=hash_name) is None


def test_pkcs1v15_encryption_both_ways(pair):
    ours, theirs = pair
    ciphertext = pkcs1v15_encrypt(ours.public_key(), MESSAGE)
    assert theirs.decrypt(ciphertext, padding.PKCS1v15()) == MESSAGE
    ciphertext = theirs.public_key().encrypt(MESSAGE, padding.PKCS1v15())
    assert pkcs1v15_decrypt(ours, ciphertext) == MESSAGE


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda ps, m: b"\x00\x03" + ps + b"\x00" + m, id="block-type-03"),
        pytest.param(lambda ps, m: b"\x01\x02" + ps + b"\x00" + m, id="leading-byte-01"),
        pytest.param(lambda ps, m: b"\x00\x02" + ps + b"\x01" + m, id="no-zero-separator"),
        pytest.param(
            lambda ps, m: b"\x00\x02" + ps[:4] + b"\x00" + ps[5:] + b"\x00" + m, id="padding-too-short"
        ),
    ],
)
def test_broken_v15_padding_never_yields_the_plaintext(broken, pair):
    """Implicit rejection: current OpenSSL does not fail on bad PKCS#1 v1.5 *encryption* padding.

    A server that says "bad padding" (by an error, a status code or its timing) is a
    Bleichenbacher oracle; the Marvin attack (2023) showed that even the timing of a library's
    error path is enough. So OpenSSL 3.2+ (and `cryptography` on it) answers bad padding with a
    deterministic, random-looking message derived from the key and ciphertext, and the protocol
    then fails later, the same way as for a wrong key. We cannot expect an exception -- only
    that the plaintext is not returned. (Older OpenSSL raised ``ValueError``; that passes too.)
    Our teaching decoder raises :class:`DecryptionError`: it is the attack lab's oracle.
    """
    ours, theirs = pair
    k = ours.byte_length
    ps = bytes(teaching_rng("ps").randrange(1, 256) for _ in range(k - len(MESSAGE) - 3))
    em = broken(ps, MESSAGE)
    assert len(em) == k
    ciphertext = i2osp(encrypt_int(ours.public_key(), os2ip(em)), k)
    try:
        answer = theirs.decrypt(ciphertext, padding.PKCS1v15())
    except ValueError:
        answer = None
    assert answer != MESSAGE
    with pytest.raises(DecryptionError):
        pkcs1v15_decrypt(ours, ciphertext)
