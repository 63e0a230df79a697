"""`paycore keygen`, run through `paycore.cli.main` as the command line runs it.

The key id is checked against OpenSSL's own DER encoding of the public key file (an independent
reference), and the passphrase against OpenSSL's decryption of the private key file.
"""

import hashlib
import os
import re
import shutil
import stat
import subprocess

import pytest

from paycore import secure
from paycore.cli import main
from paycore.errors import InvalidKey

requires_openssl = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="the openssl command is not installed"
)
PASSPHRASE_VAR = "PAYCORE_TEST_KEYGEN_PASSPHRASE"


def keygen(out, *extra):
    return main(["keygen", "--out", str(out), "--name", "merchant", *extra])


def printed_key_id(stdout: str) -> str:
    match = re.search(r"^key id:\s+([0-9a-f]+)$", stdout, re.MULTILINE)
    assert match, f"no key id line in {stdout!r}"
    return match.group(1)


def openssl(*args: str) -> bytes:
    done = subprocess.run(["openssl", *args], capture_output=True)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_both_files_with_the_right_modes(tmp_path, capsys):
    out = tmp_path / "keys"
    assert keygen(out) == 0
    stdout, stderr = capsys.readouterr()
    private, public = out / "merchant.private.pem", out / "merchant.public.pem"
    assert mode(private) == 0o600
    umask = os.umask(0)
    os.umask(umask)
    assert mode(public) == 0o666 & ~umask
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----\n")
    assert str(private) in stdout and str(public) in stdout
    assert "NOT encrypted" in stderr
    assert secure.load_private_key(private).key_size == 2048


@requires_openssl
def test_printed_key_id_is_sha256_of_the_public_key_der_as_openssl_encodes_it(tmp_path, capsys):
    assert keygen(tmp_path) == 0
    shown = printed_key_id(capsys.readouterr().out)
    public, private = tmp_path / "merchant.public.pem", tmp_path / "merchant.private.pem"
    der_from_public = openssl("pkey", "-pubin", "-in", str(public), "-outform", "DER")
    der_from_private = openssl("pkey", "-in", str(private), "-pubout", "-outform", "DER")
    assert der_from_public == der_from_private  # the two files hold the same key pair
    assert shown == hashlib.sha256(der_from_public).hexdigest()
    assert shown == secure.key_id(secure.load_private_key(private))
    assert shown == secure.key_id(secure.load_public_key(public))


@requires_openssl
def test_passphrase_from_the_environment_encrypts_the_private_key(tmp_path, capsys, monkeypatch):
    passphrase = "correct horse battery staple"
    monkeypatch.setenv(PASSPHRASE_VAR, passphrase)
    assert keygen(tmp_path, "--passphrase-env", PASSPHRASE_VAR) == 0
    stdout, stderr = capsys.readouterr()
    assert passphrase not in stdout + stderr
    assert "NOT encrypted" not in stderr
    private = tmp_path / "merchant.private.pem"
    assert mode(private) == 0o600
    assert private.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    loaded = secure.load_private_key(private, passphrase)
    assert secure.key_id(loaded) == printed_key_id(stdout)
    # OpenSSL decrypts it with the same passphrase (read from the same environment variable)
    passin = f"env:{PASSPHRASE_VAR}"
    der = openssl("pkey", "-in", str(private), "-passin", passin, "-pubout", "-outform", "DER")
    assert hashlib.sha256(der).hexdigest() == printed_key_id(stdout)
    with pytest.raises(InvalidKey, match="wrong passphrase"):
        secure.load_private_key(private, "correct horse battery stapler")
    with pytest.raises(InvalidKey):
        secure.load_private_key(private)


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_a_missing_passphrase_variable_is_refused_and_writes_nothing(tmp_path, capsys, monkeypatch, value):
    if value is None:
        monkeypatch.delenv(PASSPHRASE_VAR, raising=False)
    else:
        monkeypatch.setenv(PASSPHRASE_VAR, value)
    assert keygen(tmp_path / "keys", "--passphrase-env", PASSPHRASE_VAR) == 2
    assert PASSPHRASE_VAR in capsys.readouterr().err
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize("bits", ["1024", "2047", "512"])
def test_small_keys_are_refused_with_paycores_message(tmp_path, capsys, bits):
    assert keygen(tmp_path / "keys", "--bits", bits) == 2
    err = capsys.readouterr().err
    assert f"refusing to generate a {bits}-bit key" in err
    assert "at least 2048 bits" in err
    assert not (tmp_path / "keys").exists()


def test_existing_keys_are_not_overwritten_without_force(tmp_path, capsys):
    assert keygen(tmp_path) == 0
    capsys.readouterr()
    private, public = tmp_path / "merchant.private.pem", tmp_path / "merchant.public.pem"
    before = private.read_bytes(), public.read_bytes()

    assert keygen(tmp_path) == 2
    err = capsys.readouterr().err
    assert "already exist" in err and "--force" in err
    assert (private.read_bytes(), public.read_bytes()) == before

    public.unlink()  # one file left is still refused: it would orphan a key pair
    assert keygen(tmp_path) == 2
    assert "merchant.private.pem already exists" in capsys.readouterr().err
    assert private.read_bytes() == before[0]


def test_force_overwrites_and_tightens_the_mode(tmp_path, capsys):
    assert keygen(tmp_path) == 0
    first_id = printed_key_id(capsys.readouterr().out)
    private = tmp_path / "merchant.private.pem"
    private.chmod(0o644)
    assert keygen(tmp_path, "--force") == 0
    second_id = printed_key_id(capsys.readouterr().out)
    assert second_id != first_id
    assert mode(private) == 0o600
    assert secure.key_id(secure.load_public_key(tmp_path / "merchant.public.pem")) == second_id


@pytest.mark.parametrize("name", ["../merchant", "sub/merchant", ".hidden", ""])
def test_name_must_be_a_plain_file_stem(tmp_path, capsys, name):
    assert main(["keygen", "--out", str(tmp_path / "keys"), "--name", name]) == 2
    assert "plain file stem" in capsys.readouterr().err
    assert not (tmp_path / "keys").exists()
