"""``paycore keygen``: make an RSA key pair as PEM files and print its key id.

A thin shell over :mod:`paycore.secure`, which does the real work and enforces the rules
(2048 bits minimum, PKCS#8, file mode 0600). This module adds only what a command needs: the
passphrase comes from an environment variable, never from the command line (``ps`` and the
shell history show every argument), and existing keys are never overwritten without ``--force``.
With ``--force``, a file is replaced atomically; a symbolic link planted at the path is replaced
itself, never followed, so its target is never written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from paycore.secure import MIN_KEY_BITS, generate_private_key, key_id, save_private_key, save_public_key


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("keys"),
        help="directory for the PEM files (default ./keys)",
    )
    parser.add_argument(
        "--name", default="paycore", help="file stem, e.g. merchant -> merchant.private.pem (default paycore)"
    )
    parser.add_argument(
        "--bits", type=int, default=MIN_KEY_BITS, help=f"modulus size, at least {MIN_KEY_BITS} (the default)"
    )
    parser.add_argument(
        "--passphrase-env",
        metavar="VAR",
        help="encrypt the private key with the passphrase in environment variable VAR "
        "(without it the private key is written unencrypted)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing key files")


def _fail(message: str) -> int:
    print(f"paycore: error: {message}", file=sys.stderr)
    return 2


def _passphrase(variable: str | None) -> str | None:
    """The passphrase from the environment; ``ValueError`` if the variable is unset or empty."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        state = "is not set" if value is None else "is empty"
        raise ValueError(f"--passphrase-env {variable}: the environment variable {state}")
    return value


def _check_name(name: str) -> str:
    if not name or name.startswith(".") or Path(name).name != name:
        raise ValueError(f"--name {name!r}: give a plain file stem such as 'merchant', not a path")
    return name


def run(args: argparse.Namespace) -> int:
    """Generate, write and report; 0 on success, 2 with a message on any refusal."""
    name = _check_name(args.name)
    passphrase = _passphrase(args.passphrase_env)
    out = Path(args.out)
    private_path = out / f"{name}.private.pem"
    public_path = out / f"{name}.public.pem"
    existing = [str(path) for path in (private_path, public_path) if path.exists() or path.is_symlink()]
    if existing and not args.force:  # a friendly early answer; the exclusive write below is the real guard
        verb = "exists" if len(existing) == 1 else "exist"
        return _fail(f"{' and '.join(existing)} already {verb}; refusing to overwrite a key (use --force)")
    key = generate_private_key(args.bits)  # refuses small keys with paycore's message (a ValueError)
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        save_private_key(private_path, key, passphrase, exclusive=not args.force)
        save_public_key(public_path, key)
    except OSError as exc:
        return _fail(f"cannot write the key files: {exc}")
    if passphrase is None:
        print(
            f"warning: {private_path} is NOT encrypted; protect it with --passphrase-env VAR",
            file=sys.stderr,
        )
    protection = "encrypted with the passphrase" if passphrase else "unencrypted"
    print(f"private key: {private_path} (mode 0600, {protection})")
    print(f"public key:  {public_path}")
    print(f"key id:      {key_id(key)}")
    return 0
