"""PKCS#1 v1.5 signatures and encryption against published known answers.

RSA Laboratories' vectors (SHA-1 signatures; encryptions with their random padding given as a
"seed"), NIST's CAVS files for the SHA-2 DigestInfo encodings, and NIST's malformed-encoding
set, which a verifier that *parses* EM instead of re-encoding it tends to accept.
"""

from collections import defaultdict

import pytest

from paycore.errors import InvalidSignature
from paycore.pkcs1 import (
    emsa_pkcs1v15_encode,
    i2osp,
    os2ip,
    pkcs1v15_decrypt,
    pkcs1v15_encrypt,
    pkcs1v15_sign,
    pkcs1v15_verify,
)
from paycore.textbook import RSAPublicKey
from tests.pkcs1.helpers import ScriptedRandom, key_from_private_exponent, textbook_key
from tests.pkcs1.vectors import load_cavs, load_key_vectors

HASHES = ("sha1", "sha224", "sha256", "sha384", "sha512")
SIGN_VECTORS = load_key_vectors("pkcs1v15sign-vectors.txt")
CRYPT_VECTORS = load_key_vectors("pkcs1v15crypt-vectors.txt")


def _key_id(vectors) -> str:
    return f"{vectors.title.split(':')[0]} ({vectors.n.bit_length()} bits)"


def _by_hash(path: str) -> dict[str, list[dict]]:
    groups = defaultdict(list)
    for record in load_cavs(path):
        groups[record["SHAAlg"]].append(record)
    return groups


@pytest.mark.parametrize("vectors", SIGN_VECTORS, ids=_key_id)
def test_rsa_labs_signature_vectors(vectors):
    """15 keys (1024-2048 bits), SHA-1: signatures are deterministic. The first 5 of each key's
    20 messages keep the test fast; every key size is covered."""
    key = textbook_key(vectors)
    for example in vectors.examples[:5]:
        message = example["Message to be signed"]
        assert pkcs1v15_sign(key, message, hash="sha1") == example["Signature"], example["id"]
        assert pkcs1v15_verify(key.public_key(), message, example["Signature"], hash="sha1") is None


@pytest.mark.parametrize("vectors", CRYPT_VECTORS, ids=_key_id)
def test_rsa_labs_encryption_vectors(vectors):
    """15 keys (first 5 of 20 messages each); the published "seed" is the non-zero random padding PS."""
    key = textbook_key(vectors)
    for example in vectors.examples[:5]:
        assert 0 not in example["Seed"]
        rng = ScriptedRandom(example["Seed"])
        assert pkcs1v15_encrypt(key.public_key(), example["Message"], rng=rng) == example["Encryption"]
        assert rng.used_up, example["id"]
        assert pkcs1v15_decrypt(key, example["Encryption"]) == example["Message"], example["id"]


SIGGEN = _by_hash("FIPS_186-2/SigGen15_186-3.rsp")
SIGGEN_WITH_D = _by_hash("FIPS_186-2/SigGen15_186-2.txt")


@pytest.mark.parametrize("sha", HASHES)
def test_nist_siggen_digest_info_encodings(sha):
    """The DigestInfo prefix of each hash, checked through NIST's signatures at 1024-4096 bits.

    ``S^e mod n`` (public key only) must equal our encoding; where NIST also gives ``d``, keys
    up to 2048 bits sign through ``pkcs1v15_sign`` and must reproduce S.
    """
    for record in SIGGEN[sha]:
        public = RSAPublicKey(record["n"], record["e"])
        em = i2osp(pow(os2ip(record["S"]), public.e, public.n), public.byte_length)
        assert emsa_pkcs1v15_encode(record["Msg"], public.byte_length, hash=sha) == em, record["id"]
        assert pkcs1v15_verify(public, record["Msg"], record["S"], hash=sha) is None
    signed = 0
    for record in SIGGEN_WITH_D[sha]:
        if record["mod"] <= 2048:
            key = key_from_private_exponent(record["n"], record["e"], record["d"])
            assert pkcs1v15_sign(key, record["Msg"], hash=sha) == record["S"], record["id"]
            signed += 1
    assert signed >= 10


SIGVER = _by_hash("FIPS_186-2/SigVer15_186-3.rsp")


@pytest.mark.parametrize("sha", HASHES)
def test_nist_sigver_accepts_and_rejects_as_published(sha):
    outcomes = set()
    for record in SIGVER[sha]:
        public = RSAPublicKey(record["n"], record["e"])
        if record["Result"]:
            assert pkcs1v15_verify(public, record["Msg"], record["S"], hash=sha) is None, record["id"]
        else:
            with pytest.raises(InvalidSignature):
                pkcs1v15_verify(public, record["Msg"], record["S"], hash=sha)
        outcomes.add(record["Result"])
    assert outcomes == {True, False}


@pytest.mark.parametrize("sha", HASHES)
def test_nist_malformed_encodings_are_all_rejected(sha):
    """SigVer15EMTest: real signatures over *malformed* blocks (digest moved, 00 removed, wrong
    trailer, ...). A verifier that parses EM loosely accepts some; re-encoding rejects all."""
    records = [record for record in load_cavs("SigVer15EMTest.txt") if record["SHAAlg"] == sha]
    assert len(records) == 30 and not any(record["Result"] for record in records)
    for record in records:
        with pytest.raises(InvalidSignature):
            pkcs1v15_verify(RSAPublicKey(record["n"], record["e"]), record["Msg"], record["S"], hash=sha)
