"""Independent implementations to check the production path against (PyCryptodome, OpenSSL's CLI)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from Crypto.PublicKey import RSA as CryptodomeRSA

from paycore import secure

requires_openssl = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="the openssl command is not installed"
)


def cryptodome_key(key):
    """The same key as a PyCryptodome object (via PEM, as a user would move it)."""
    return CryptodomeRSA.import_key(secure.private_key_to_pem(key))


def openssl(*args: str, data: bytes = b"") -> bytes:
    """Run the openssl command, failing the test with its stderr if it fails."""
    done = subprocess.run(["openssl", *args], input=data, capture_output=True)
    if done.returncode != 0:
        raise AssertionError(f"openssl {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


def write_keys(key, directory: Path) -> tuple[Path, Path]:
    """PEM files of a key pair, for the openssl command line."""
    private = secure.save_private_key(directory / "private.pem", key)
    public = secure.save_public_key(directory / "public.pem", key)
    return private, public
