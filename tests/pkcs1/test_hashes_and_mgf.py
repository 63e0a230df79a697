"""Hash lookup, DigestInfo prefixes and MGF1, against RFC 8017's printed bytes and PyCryptodome."""

import hashlib

import pytest
from Crypto.Hash import SHA1, SHA224, SHA256, SHA384, SHA512
from Crypto.Signature.pss import MGF1 as pycryptodome_mgf1
from hypothesis import given, settings
from hypothesis import strategies as st

from paycore.pkcs1 import lookup_hash, mgf1
from tests.pkcs1.vectors import load_intermediate_values

# RFC 8017, section 9.2, note 1: the DER bytes before the digest, as the RFC prints them.
RFC_8017_DIGEST_INFO_PREFIXES = {
    "sha1": "30 21 30 09 06 05 2b 0e 03 02 1a 05 00 04 14",
    "sha224": "30 2d 30 0d 06 09 60 86 48 01 65 03 04 02 04 05 00 04 1c",
    "sha256": "30 31 30 0d 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20",
    "sha384": "30 41 30 0d 06 09 60 86 48 01 65 03 04 02 02 05 00 04 30",
    "sha512": "30 51 30 0d 06 09 60 86 48 01 65 03 04 02 03 05 00 04 40",
    "sha512_224": "30 2d 30 0d 06 09 60 86 48 01 65 03 04 02 05 05 00 04 1c",
    "sha512_256": "30 31 30 0d 06 09 60 86 48 01 65 03 04 02 06 05 00 04 20",
}


@pytest.mark.parametrize("name", sorted(RFC_8017_DIGEST_INFO_PREFIXES))
def test_digest_info_prefixes_are_the_ones_rfc_8017_prints(name):
    algorithm = lookup_hash(name)
    assert algorithm.digest_info_prefix == bytes.fromhex(RFC_8017_DIGEST_INFO_PREFIXES[name])
    assert algorithm.digest_size == hashlib.new(name).digest_size
    assert algorithm.digest(b"abc") == hashlib.new(name, b"abc").digest()


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("sha256", "sha256"),
        ("SHA-256", "sha256"),
        ("sha_256", "sha256"),
        ("SHA1", "sha1"),
        ("SHA-512/256", "sha512_256"),
        ("sha512-224", "sha512_224"),
        ("SHA3-256", "sha3_256"),
        ("BLAKE2b", "blake2b"),
    ],
)
def test_hash_names_are_forgiving_about_spelling(spelling, name):
    assert lookup_hash(spelling).name == name


def test_hashes_without_digest_info_work_for_masks_but_not_for_v15_signatures():
    blake = lookup_hash("blake2b")
    assert blake.oid is None and blake.digest_size == 64
    assert mgf1(b"seed", 70, hash="blake2b")[:64] == hashlib.blake2b(b"seed\x00\x00\x00\x00").digest()
    with pytest.raises(ValueError, match="no DigestInfo for blake2b"):
        _ = blake.digest_info_prefix


@pytest.mark.parametrize("bad", ["md5", "sha0", "shake_128", "sha256 ", ""])
def test_unknown_hashes_are_refused_with_the_choices(bad):
    with pytest.raises(ValueError, match=r"unknown hash .*sha256.*usual choice"):
        lookup_hash(bad)


@pytest.mark.parametrize("bad", [None, b"sha256", hashlib.sha256, 256])
def test_hash_must_be_a_name(bad):
    with pytest.raises(TypeError, match='hash must be a name such as "sha256"'):
        lookup_hash(bad)


def test_input_limits_are_those_of_the_hash():
    """RFC 8017 step 1 of each scheme: 2^61 - 1 bytes for SHA-1/SHA-256, 2^125 - 1 for SHA-512."""
    lookup_hash("sha256").check_input_length(2**61 - 1, "message")
    with pytest.raises(ValueError, match="message too long: sha256 hashes at most"):
        lookup_hash("sha256").check_input_length(2**61, "message")
    lookup_hash("sha512").check_input_length(2**61, "label")
    with pytest.raises(ValueError, match="label too long"):
        lookup_hash("sha512").check_input_length(2**125, "label")
    lookup_hash("sha3_256").check_input_length(2**200, "message")  # a sponge has no limit


def test_mgf1_reproduces_the_rfc_walk_throughs():
    oaep = load_intermediate_values("pkcs-1v2-1d2-vec/oaep-int.txt")
    assert mgf1(oaep["seed"], len(oaep["DB"]), hash="sha1") == oaep["dbMask"]
    assert mgf1(oaep["maskedDB"], 20, hash="sha1") == oaep["seedMask"]
    pss = load_intermediate_values("pkcs-1v2-1d2-vec/pss-int.txt")
    assert mgf1(pss["hash"], len(pss["DB"]), hash="sha1") == pss["dbMask"]


PYCRYPTODOME = {"sha1": SHA1, "sha224": SHA224, "sha256": SHA256, "sha384": SHA384, "sha512": SHA512}


@settings(max_examples=60, deadline=None)
@given(
    seed=st.binary(max_size=80),
    length=st.integers(min_value=0, max_value=600),
    name=st.sampled_from(sorted(PYCRYPTODOME)),
)
def test_mgf1_matches_pycryptodome(seed, length, name):
    assert mgf1(seed, length, hash=name) == pycryptodome_mgf1(seed, length, PYCRYPTODOME[name])


def test_mgf1_errors():
    with pytest.raises(ValueError, match="mask too long"):
        mgf1(b"seed", 2**32 * 20 + 1, hash="sha1")  # refused before any hashing
    assert len(mgf1(b"seed", 0, hash="sha1")) == 0
    with pytest.raises(ValueError, match="non-negative"):
        mgf1(b"seed", -1)
    with pytest.raises(TypeError, match=r"encode text first"):
        mgf1("seed", 10)
    with pytest.raises(TypeError, match="length must be an int"):
        mgf1(b"seed", 10.0)
