"""RSASSA-PSS against published known answers: RFC 8017's vectors and NIST's CAVS files.

With the published salt our signer must produce the published signature byte for byte; our
verifier must accept every published signature and reject every one NIST marks as failing.
"""

from collections import defaultdict

import pytest

from paycore.errors import InvalidSignature
from paycore.pkcs1 import emsa_pss_encode, emsa_pss_encode_steps, i2osp, os2ip, pss_sign, pss_verify
from paycore.textbook import RSAPrivateKey, RSAPublicKey
from tests.pkcs1.helpers import ScriptedRandom, key_from_private_exponent, textbook_key
from tests.pkcs1.vectors import load_cavs, load_intermediate_values, load_key_vectors

RFC_PSS = load_key_vectors("pkcs-1v2-1d2-vec/pss-vect.txt")
HASHES = ("sha1", "sha224", "sha256", "sha384", "sha512")


def _by_hash(path: str) -> dict[str, list[dict]]:
    groups = defaultdict(list)
    for record in load_cavs(path):
        groups[record["SHAAlg"]].append(record)
    return groups


def _em_from_signature(record) -> bytes:
    """``S^e mod n`` as emLen bytes: what the signer encoded, recovered with the public key alone."""
    em_bits = record["n"].bit_length() - 1
    return i2osp(pow(os2ip(record["S"]), record["e"], record["n"]), -(-em_bits // 8))


@pytest.mark.parametrize(
    "vectors", RFC_PSS, ids=lambda v: f"{v.title.split(':')[0]} ({v.n.bit_length()} bits)"
)
def test_rfc8017_pss_sha1_vectors(vectors):
    """10 keys of 1024-2048 bits, 6 messages each, 20-byte salts. 1025-bit keys have emLen = k - 1."""
    key = textbook_key(vectors)
    for example in vectors.examples:
        message, salt = example["Message to be signed"], example["Salt"]
        rng = ScriptedRandom(salt)
        signature = pss_sign(key, message, hash="sha1", salt_length=len(salt), rng=rng)
        assert signature == example["Signature"], example["id"]
        assert rng.used_up
        assert (
            pss_verify(key.public_key(), message, example["Signature"], hash="sha1", salt_length=20) is None
        )


def test_rfc8017_pss_intermediate_values():
    """pss-int.txt: mHash, M' (there called inBlock), H, DB, dbMask, maskedDB, EM and the signature."""
    v = load_intermediate_values("pkcs-1v2-1d2-vec/pss-int.txt")
    key = RSAPrivateKey(
        os2ip(v["Prime 1"]), os2ip(v["Prime 2"]), os2ip(v["Public exponent"]), os2ip(v["Exponent"])
    )
    assert key.n == os2ip(v["Modulus"])
    steps = emsa_pss_encode_steps(v["Message to be signed"], key.bits - 1, hash="sha1", salt=v["salt"])
    assert steps.m_hash == v["Message hash"]
    assert steps.m_prime == v["inBlock"]
    assert steps.h == v["hash"]
    assert steps.db == v["DB"]
    assert steps.db_mask == v["dbMask"]
    assert steps.masked_db == v["maskedDB"]
    assert steps.em == v["EM"]
    signature = pss_sign(key, v["Message to be signed"], hash="sha1", rng=ScriptedRandom(v["salt"]))
    assert signature == v["Signature, the RSA decryption of EM"]


SIGGEN_SALTED = _by_hash("FIPS_186-2/SigGenPSS_186-2.txt")


@pytest.mark.parametrize("sha", HASHES)
def test_nist_siggen_pss_with_20_byte_salts(sha):
    """NIST's PSS signatures for SHA-1 and SHA-2 at 1024-4096 bits, with the salt and d published.

    Every record: our encoding equals ``S^e mod n`` and our verifier accepts. Records with keys
    up to 2048 bits are also signed through ``pss_sign`` (the primes are recovered from n, e, d
    by `cryptography`; pure-Python signing at 4096 bits would make the test slow).
    """
    for record in SIGGEN_SALTED[sha]:
        n, e, salt, message = record["n"], record["e"], record["SaltVal"], record["Msg"]
        assert emsa_pss_encode(message, n.bit_length() - 1, hash=sha, salt=salt) == _em_from_signature(record)
        assert pss_verify(RSAPublicKey(n, e), message, record["S"], hash=sha, salt_length=len(salt)) is None
        if record["mod"] <= 2048:
            key = key_from_private_exponent(n, e, record["d"])
            assert pss_sign(key, message, hash=sha, salt_length=20, rng=ScriptedRandom(salt)) == record["S"]


SIGGEN_UNSALTED = _by_hash("FIPS_186-2/SigGenPSS_186-3.rsp")


@pytest.mark.parametrize("sha", HASHES)
def test_nist_siggen_pss_without_salt(sha):
    """A salt length of 0 makes PSS deterministic: the encoding must match exactly."""
    for record in SIGGEN_UNSALTED[sha]:
        n, e, message = record["n"], record["e"], record["Msg"]
        assert emsa_pss_encode(message, n.bit_length() - 1, hash=sha, salt=b"") == _em_from_signature(record)
        assert pss_verify(RSAPublicKey(n, e), message, record["S"], hash=sha, salt_length=0) is None
        with pytest.raises(InvalidSignature):
            pss_verify(RSAPublicKey(n, e), message, record["S"], hash=sha, salt_length=1)


SIGVER = _by_hash("FIPS_186-2/SigVerPSS_186-3.rsp")


@pytest.mark.parametrize("sha", HASHES)
def test_nist_sigver_pss_accepts_and_rejects_as_published(sha):
    """90 records per hash; NIST marks which must verify. Failing ones alter the message, e, S or salt."""
    outcomes = set()
    for record in SIGVER[sha]:
        public = RSAPublicKey(record["n"], record["e"])
        salt_length = len(record["SaltVal"])
        if record["Result"]:
            assert pss_verify(public, record["Msg"], record["S"], hash=sha, salt_length=salt_length) is None
        else:
            with pytest.raises(InvalidSignature):
                pss_verify(public, record["Msg"], record["S"], hash=sha, salt_length=salt_length)
        outcomes.add(record["Result"])
    assert outcomes == {True, False}
