"""RSAES-OAEP against published known answers (RFC 8017's vectors, pyca's SHA-2 set, BoringSSL's label test).

Encoders must reproduce the published ciphertexts from the published seeds, byte for byte,
and decoders must recover the published messages.
"""

import re

import pytest
from cryptography.hazmat.primitives.serialization import load_der_private_key

from paycore.errors import DecryptionError
from paycore.pkcs1 import i2osp, lookup_hash, mgf1, oaep_decrypt, oaep_encode_steps, oaep_encrypt, os2ip
from paycore.textbook import RSAPrivateKey, decrypt_int
from tests.pkcs1.helpers import ScriptedRandom, textbook_key
from tests.pkcs1.vectors import load_evp_records, load_intermediate_values, load_key_vectors

RFC_OAEP = load_key_vectors("pkcs-1v2-1d2-vec/oaep-vect.txt")
_SHA = ("sha1", "sha224", "sha256", "sha384", "sha512")
SHA2_FILES = [
    f"oaep-custom/oaep-{mgf}-{alg}.txt" for mgf in _SHA for alg in _SHA if (mgf, alg) != ("sha1", "sha1")
]


@pytest.mark.parametrize(
    "vectors", RFC_OAEP, ids=lambda v: f"{v.title.split(':')[0]} ({v.n.bit_length()} bits)"
)
def test_rfc8017_oaep_sha1_vectors(vectors):
    """10 keys of 1024-2048 bits (including 1025..1031), 6 messages each, SHA-1 for hash and MGF1."""
    key = textbook_key(vectors)
    for example in vectors.examples:
        rng = ScriptedRandom(example["Seed"])
        ciphertext = oaep_encrypt(key.public_key(), example["Message"], hash="sha1", rng=rng)
        assert ciphertext == example["Encryption"], example["id"]
        assert rng.used_up, "the seed must be exactly hLen bytes"
        assert oaep_decrypt(key, example["Encryption"], hash="sha1") == example["Message"], example["id"]


def test_rfc8017_oaep_intermediate_values():
    """oaep-int.txt: every intermediate value of one encryption, and its CRT decryption.

    The file follows PKCS#1 v2.0, whose EM has no leading 0x00 byte: v2.1's EM is ``00 || EM``.
    """
    v = load_intermediate_values("pkcs-1v2-1d2-vec/oaep-int.txt")
    p, q = os2ip(v["Prime 1"]), os2ip(v["Prime 2"])
    key = RSAPrivateKey(p, q, os2ip(v["Public exponent"]), os2ip(v["Private exponent"]))
    assert key.n == os2ip(v["Modulus"])
    assert (key.dp, key.dq, key.qinv) == tuple(
        os2ip(v[name]) for name in ("Prime exponent 1", "Prime exponent 2", "Coefficient")
    )
    steps = oaep_encode_steps(v["Message to be encrypted"], key.byte_length, hash="sha1", seed=v["seed"])
    assert steps.l_hash == v["pHash"]
    assert steps.db == v["DB"]
    assert steps.db_mask == v["dbMask"] == mgf1(v["seed"], len(v["DB"]), hash="sha1")
    assert steps.masked_db == v["maskedDB"]
    assert steps.seed_mask == v["seedMask"]
    assert steps.masked_seed == v["maskedSeed"]
    assert steps.em == b"\x00" + v["EM"]
    ciphertext = oaep_encrypt(
        key.public_key(), v["Message to be encrypted"], hash="sha1", rng=ScriptedRandom(v["seed"])
    )
    assert ciphertext == v["Ciphertext, the RSA encryption of EM"] == v["c, the ciphertext"]
    c = os2ip(ciphertext)
    assert (c % p, c % q) == (os2ip(v["c mod p"]), os2ip(v["c mod q"]))
    assert i2osp(decrypt_int(key, c), key.byte_length - 1) == v["m"] == v["EM"]
    assert oaep_decrypt(key, ciphertext, hash="sha1") == v["Message to be encrypted"]


def _hashes_from_file_name(path: str) -> tuple[str, str]:
    """pyca's oaep-custom files are named ``oaep-<MGF1 hash>-<OAEP hash>.txt``: MGF1 comes first."""
    mgf, alg = re.fullmatch(r"oaep-custom/oaep-(\w+)-(\w+)\.txt", path).groups()
    return mgf, alg


@pytest.mark.parametrize("path", SHA2_FILES, ids=lambda p: p.split("/")[1][:-4])
def test_pyca_sha2_oaep_vectors(path):
    """Every pairing of SHA-1/SHA-2 for the OAEP hash and the MGF1 hash (decryption only: no seeds given).

    The first key's six messages are decrypted (all keys are 2048-bit; the hashes are what vary).
    Decrypting with the two hashes swapped must fail whenever they differ: that guards against
    reading the file name the wrong way round.
    """
    mgf, alg = _hashes_from_file_name(path)
    vectors = load_key_vectors(path)[0]
    key = textbook_key(vectors)
    for example in vectors.examples:
        assert (example["alg"], example["mgf1"]) == (alg, mgf), "the example heading names the same hashes"
        assert oaep_decrypt(key, example["Encryption"], hash=alg, mgf_hash=mgf) == example["Message"]
    if alg != mgf:
        with pytest.raises(DecryptionError):
            oaep_decrypt(key, vectors.examples[0]["Encryption"], hash=mgf, mgf_hash=alg)


def test_boringssl_oaep_sha512_with_a_label():
    """A ciphertext made with a non-empty label decrypts with that label, and only with it."""
    (record,) = load_evp_records("oaep-label.txt")
    assert (record["RSAPadding"], record["OAEPDigest"]) == ("OAEP", "SHA512")
    numbers = load_der_private_key(bytes.fromhex(record["KEY"]), password=None).private_numbers()
    key = RSAPrivateKey(numbers.p, numbers.q, numbers.public_numbers.e, numbers.d)
    label, ciphertext = bytes.fromhex(record["OAEPLabel"]), bytes.fromhex(record["Input"])
    expected = record["Output"].strip('"').encode()
    assert oaep_decrypt(key, ciphertext, hash="sha512", label=label) == expected
    with pytest.raises(DecryptionError):
        oaep_decrypt(key, ciphertext, hash="sha512")
    assert lookup_hash(record["OAEPDigest"]).name == "sha512"
