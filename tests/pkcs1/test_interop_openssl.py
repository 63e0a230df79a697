"""Interoperability with the OpenSSL command line, in both directions (skipped without ``openssl``).

The same files a developer would use by hand: OAEP with ``openssl pkeyutl``, PSS and PKCS#1 v1.5
signatures with ``openssl dgst``.
"""

import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization

from paycore.pkcs1 import oaep_decrypt, oaep_encrypt, pkcs1v15_sign, pss_sign, pss_verify
from tests.conftest import FIXTURES
from tests.pkcs1.helpers import pinned_pair

OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="the openssl command line tool is not installed")

MESSAGE = b'{"amount_fen":12345,"currency":"CNY","order_id":"A20261127001"}'
OAEP_SHA256 = [
    "-pkeyopt",
    "rsa_padding_mode:oaep",
    "-pkeyopt",
    "rsa_oaep_md:sha256",
    "-pkeyopt",
    "rsa_mgf1_md:sha256",
]
PSS_SHA256 = ["-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"]


def openssl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([OPENSSL, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def keys():
    ours, theirs = pinned_pair(2048)
    return ours, str(FIXTURES / "keys" / "rsa-2048.pem"), theirs


@pytest.fixture
def public_pem(keys, tmp_path):
    path = tmp_path / "public.pem"
    path.write_bytes(
        keys[2]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return str(path)


@pytest.mark.parametrize("label", [b"", b"order A20261127001"], ids=["no-label", "label"])
def test_oaep_sha256_both_ways(keys, public_pem, tmp_path, label):
    ours, private_pem, _ = keys
    label_option = ["-pkeyopt", f"rsa_oaep_label:{label.hex()}"] if label else []
    ours_ct, theirs_ct, out, message = (
        tmp_path / name for name in ("ours.bin", "theirs.bin", "out.bin", "m.bin")
    )
    ours_ct.write_bytes(oaep_encrypt(ours.public_key(), MESSAGE, label=label))
    result = openssl(
        "pkeyutl",
        "-decrypt",
        "-inkey",
        private_pem,
        "-in",
        str(ours_ct),
        "-out",
        str(out),
        *OAEP_SHA256,
        *label_option,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == MESSAGE
    message.write_bytes(MESSAGE)
    result = openssl(
        "pkeyutl", "-encrypt", "-pubin", "-inkey", public_pem, "-in", str(message), "-out", str(theirs_ct),
        *OAEP_SHA256, *label_option,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert oaep_decrypt(ours, theirs_ct.read_bytes(), label=label) == MESSAGE


def test_pss_sha256_both_ways(keys, public_pem, tmp_path):
    ours, private_pem, _ = keys
    message, ours_sig, theirs_sig = tmp_path / "m.bin", tmp_path / "ours.sig", tmp_path / "theirs.sig"
    message.write_bytes(MESSAGE)
    ours_sig.write_bytes(pss_sign(ours, MESSAGE))
    result = openssl("dgst", *PSS_SHA256, "-verify", public_pem, "-signature", str(ours_sig), str(message))
    assert result.returncode == 0 and "Verified OK" in result.stdout, result.stdout + result.stderr
    result = openssl("dgst", *PSS_SHA256, "-sign", private_pem, "-out", str(theirs_sig), str(message))
    assert result.returncode == 0, result.stderr
    assert pss_verify(ours.public_key(), MESSAGE, theirs_sig.read_bytes()) is None


def test_openssl_rejects_our_pss_signature_over_another_message(keys, public_pem, tmp_path):
    """The OpenSSL check above can fail: a signature over a different message does not verify."""
    ours, _, _ = keys
    message, signature = tmp_path / "m.bin", tmp_path / "ours.sig"
    message.write_bytes(MESSAGE)
    signature.write_bytes(pss_sign(ours, MESSAGE + b"tampered"))
    result = openssl("dgst", *PSS_SHA256, "-verify", public_pem, "-signature", str(signature), str(message))
    assert result.returncode != 0 and "Verification failure" in result.stdout + result.stderr


def test_pkcs1v15_sha256_signature_matches_openssl_byte_for_byte(keys, tmp_path):
    ours, private_pem, _ = keys
    message, signature = tmp_path / "m.bin", tmp_path / "theirs.sig"
    message.write_bytes(MESSAGE)
    result = openssl("dgst", "-sha256", "-sign", private_pem, "-out", str(signature), str(message))
    assert result.returncode == 0, result.stderr
    assert signature.read_bytes() == pkcs1v15_sign(ours, MESSAGE)
