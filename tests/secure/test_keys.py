"""Key generation, PEM round trips, passphrases, file modes and key ids."""

import hashlib
import stat
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from paycore import secure
from paycore.errors import InvalidKey

openssl = pytest.mark.skipif(
    subprocess.run(["which", "openssl"], capture_output=True).returncode != 0,
    reason="the openssl command is not installed",
)


def test_generate_refuses_small_keys_and_says_why():
    with pytest.raises(InvalidKey, match="at least 2048 bits.*1999"):
        secure.generate_private_key(1024)
    with pytest.raises(TypeError):
        secure.generate_private_key("2048")


def test_generated_key_has_the_asked_size():
    key = secure.generate_private_key(2048)
    assert key.key_size == 2048 and key.public_key().public_numbers().e == 65537


@openssl
def test_key_id_is_sha256_of_the_der_public_key_as_openssl_computes_it(key2048, tmp_path):
    """Independent reference: OpenSSL's command line extracts the DER public key; hashlib hashes it."""
    pem_path = tmp_path / "key.pem"
    pem_path.write_bytes(secure.private_key_to_pem(key2048))
    der = subprocess.run(
        ["openssl", "pkey", "-in", str(pem_path), "-pubout", "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    assert secure.key_id(key2048) == hashlib.sha256(der).hexdigest()
    assert secure.key_id(key2048.public_key()) == secure.key_id(key2048)
    assert len(secure.key_id(key2048)) == 64


def test_key_ids_differ_between_keys(key2048, key3072):
    assert secure.key_id(key2048) != secure.key_id(key3072)


def test_pem_round_trip_without_and_with_passphrase(key2048):
    plain = secure.private_key_to_pem(key2048)
    assert plain.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert secure.load_private_key_pem(plain).private_numbers() == key2048.private_numbers()
    locked = secure.private_key_to_pem(key2048, "correct horse")
    assert locked.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert (
        secure.load_private_key_pem(locked, b"correct horse").private_numbers() == key2048.private_numbers()
    )


def test_wrong_or_missing_passphrase_is_a_clear_error(key2048):
    locked = secure.private_key_to_pem(key2048, b"s3cret")
    with pytest.raises(InvalidKey, match="wrong passphrase"):
        secure.load_private_key_pem(locked, b"guess")
    with pytest.raises(InvalidKey, match="it is encrypted: give its passphrase"):
        secure.load_private_key_pem(locked)
    with pytest.raises(InvalidKey, match="not encrypted, but a passphrase was given"):
        secure.load_private_key_pem(secure.private_key_to_pem(key2048), b"not needed")


@openssl
def test_pkcs1_pem_from_openssl_loads(key2048, tmp_path):
    """SDKs hand out 'BEGIN RSA PRIVATE KEY' (PKCS#1) files: OpenSSL writes one, we must read it."""
    source = tmp_path / "pkcs8.pem"
    source.write_bytes(secure.private_key_to_pem(key2048))
    pkcs1 = subprocess.run(
        ["openssl", "rsa", "-in", str(source), "-traditional"], capture_output=True, check=True
    ).stdout
    assert pkcs1.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert secure.load_private_key_pem(pkcs1).private_numbers() == key2048.private_numbers()
    rsa_public = subprocess.run(
        ["openssl", "rsa", "-in", str(source), "-RSAPublicKey_out"], capture_output=True, check=True
    ).stdout
    assert rsa_public.startswith(b"-----BEGIN RSA PUBLIC KEY-----")
    assert secure.key_id(secure.load_public_key_pem(rsa_public)) == secure.key_id(key2048)


@openssl
def test_passphrase_protected_file_opens_with_openssl(key2048, tmp_path):
    path = secure.save_private_key(tmp_path / "merchant.pem", key2048, "pass phrase")
    done = subprocess.run(
        ["openssl", "pkey", "-in", str(path), "-passin", "pass:pass phrase", "-noout"], capture_output=True
    )
    assert done.returncode == 0, done.stderr
    wrong = subprocess.run(
        ["openssl", "pkey", "-in", str(path), "-passin", "pass:nope", "-noout"], capture_output=True
    )
    assert wrong.returncode != 0


def test_private_key_file_is_owner_only_even_if_it_existed(key2048, tmp_path):
    path = tmp_path / "key.pem"
    path.write_bytes(b"old")
    path.chmod(0o644)
    secure.save_private_key(path, key2048)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secure.load_private_key(path).private_numbers() == key2048.private_numbers()


def test_exclusive_save_never_replaces_a_file(key2048, tmp_path):
    path = tmp_path / "key.pem"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        secure.save_private_key(path, key2048, exclusive=True)
    assert path.read_bytes() == b"precious"
    secure.save_private_key(tmp_path / "new.pem", key2048, exclusive=True)
    assert stat.S_IMODE((tmp_path / "new.pem").stat().st_mode) == 0o600


def test_public_key_file_round_trip(key2048, tmp_path):
    path = secure.save_public_key(tmp_path / "pub.pem", key2048)
    assert secure.key_id(secure.load_public_key(path)) == secure.key_id(key2048)


def test_small_keys_are_refused_on_load(key1024):
    pem = key1024.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InvalidKey, match="at least 2048 bits"):
        secure.load_private_key_pem(pem)
    with pytest.raises(InvalidKey, match="at least 2048 bits"):
        secure.load_public_key_pem(secure.public_key_to_pem(key1024))


def test_non_rsa_and_garbage_keys_are_refused():
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_pem = ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InvalidKey, match="RSA"):
        secure.load_private_key_pem(ec_pem)
    ec_public = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(InvalidKey, match="RSA"):
        secure.load_public_key_pem(ec_public)
    with pytest.raises(InvalidKey):
        secure.load_private_key_pem(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")
    with pytest.raises(InvalidKey):
        secure.load_public_key_pem(b"not a key")
    with pytest.raises(TypeError):
        secure.load_private_key_pem("a str, not bytes")
    with pytest.raises(TypeError):
        secure.private_key_to_pem(ec_key)
    with pytest.raises(TypeError):
        secure.key_id(ec_key.public_key())
    with pytest.raises(TypeError):
        secure.private_key_to_pem(secure.generate_private_key(), password=b"")
