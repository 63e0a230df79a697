"""The data directory of ``paycore serve``: keys, secrets and databases, made once, checked every start.

Everything durable lives here, owner-only (the directory 0700, every secret and database 0600):

============================== =============================================================
``merchant.private.pem``        the merchant's signing key (and ``merchant.public.pem``)
``gateway-signing.private.pem`` the gateway's signing key: answers and notifications
``gateway-encryption.private.pem`` the gateway's encryption key: payer envelopes are sealed to it
``gateway-token.key``           32 random bytes: the key of the card tokens (HMAC)
``merchant-admin.token``        the operator's ``X-Admin-Token`` for ``/admin/reconcile``
``gateway.sqlite3``             the gateway's database (and ``merchant.sqlite3``; beside each, SQLite's
                                ``-wal`` and ``-shm`` files, and a ``-lock`` file its writers queue on)
``wechatpay-platform.private.pem`` WeChat Pay's and Alipay's platform keys, and ``sdk/`` with the demo
                                merchants' credentials (:mod:`.sdk_credentials`)
============================== =============================================================

Each file is written atomically (:mod:`paycore.secure.files`), so a crash or a full disk leaves it
whole or absent, and read back with checks: an empty token, a truncated key, a directory that is a
file or cannot be written is a :class:`DataDirError` whose message names the file and what to do.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.errors import InvalidKey
from paycore.payment.errors import PaymentError
from paycore.secure.files import SecretFileError, read_secret, write_atomically

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
TOKEN_KEY_FILE = "gateway-token.key"
TOKEN_KEY_BYTES = 32
ADMIN_TOKEN_FILE = "merchant-admin.token"
_ADMIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{24,128}")
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
}


class DataDirError(ValueError):
    """The data directory cannot be used as it is; the message names the file and what to do."""


def describe(exc: BaseException, where: Path) -> DataDirError:
    """A start-up failure (of the file system or of SQLite) as one clear sentence about ``where``."""
    if isinstance(exc, DataDirError):
        return exc
    if isinstance(exc, ValueError):  # a secret file refused, with its own advice
        return DataDirError(str(exc))
    if isinstance(exc, PaymentError):  # the database refused to work (STORAGE_UNAVAILABLE)
        return DataDirError(f"cannot use the databases in {where}: {exc.message.split(';')[0]}")
    if isinstance(exc, OSError):
        reason = _REASONS.get(exc.errno, exc.strerror or type(exc).__name__)
        return DataDirError(f"cannot use {exc.filename or where}: {reason}")
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        reason = "the database cannot be written (a read-only file system or file?)"
    elif "full" in text:
        reason = "the disk is full"
    else:
        reason = f"the database cannot be opened ({type(exc).__name__})"
    return DataDirError(f"cannot use the databases in {where}: {reason}")


def prepare(path: str | os.PathLike) -> tuple[Path, bool]:
    """The data directory, created owner-only if missing: ``(path, created)``. Refuses a file."""
    data = Path(path)
    if data.exists() and not data.is_dir():
        raise DataDirError(f"--data-dir {data} is a file, not a directory: give a directory's name")
    created = not data.exists()
    try:
        data.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        os.chmod(data, DIRECTORY_MODE)
        probe = write_atomically(data / ".paycore-write-test", b"ok")
        probe.unlink()
    except OSError as exc:
        raise describe(exc, data) from None
    return data, created


def party_key(data: Path, name: str) -> tuple[rsa.RSAPrivateKey, bool]:
    """``{name}.private.pem`` (and its public half): loaded and checked, or made now. ``(key, made)``."""
    path = data / f"{name}.private.pem"
    if path.exists() or path.is_symlink():
        advice = (
            f"If it cannot be restored, delete {path.name} and {name}.public.pem to make a new key "
            "pair (whoever pinned the old public key must then be given the new one)."
        )
        pem = read_secret(path, min_bytes=64, advice=advice)
        try:
            key = secure.load_private_key_pem(pem)
        except InvalidKey as exc:
            raise SecretFileError(f"{path} does not hold a usable key ({exc}). {advice}") from None
        public = data / f"{name}.public.pem"
        if not public.exists() and not public.is_symlink():  # an earlier start stopped in between (full disk)
            secure.save_public_key(public, key)
        return key, False
    key = secure.generate_private_key()
    secure.save_private_key(path, key, exclusive=True)
    secure.save_public_key(data / f"{name}.public.pem", key)
    return key, True


def card_token_key(data: Path) -> bytes:
    """The key of the gateway's card tokens: 32 random bytes, made once and never changed."""
    path = data / TOKEN_KEY_FILE
    if path.exists() or path.is_symlink():
        advice = (
            "Restore it from a backup: every stored card token was made with it, so a new key would "
            "leave every known card unrecognised."
        )
        secret = read_secret(path, min_bytes=TOKEN_KEY_BYTES, advice=advice)
        if len(secret) != TOKEN_KEY_BYTES:
            raise SecretFileError(f"{path} should hold exactly {TOKEN_KEY_BYTES} bytes. {advice}")
        return secret
    secret = secrets.token_bytes(TOKEN_KEY_BYTES)
    write_atomically(path, secret, mode=FILE_MODE, exclusive=True)
    return secret


def admin_token(data: Path) -> str:
    """The merchant operator's ``X-Admin-Token``: made once; a short or empty one is refused."""
    path = data / ADMIN_TOKEN_FILE
    if path.exists() or path.is_symlink():
        advice = f"Delete {path.name} to make a new token (operators then read the new one from the file)."
        token = read_secret(path, min_bytes=24, advice=advice).decode("ascii", errors="replace").strip()
        if not _ADMIN_TOKEN.fullmatch(token):
            raise SecretFileError(
                f"{path} does not hold a token of 24 or more letters, digits, - or _. {advice}"
            )
        return token
    token = secrets.token_urlsafe(32)
    write_atomically(path, token.encode("ascii") + b"\n", mode=FILE_MODE, exclusive=True)
    return token


def database(data: Path, name: str) -> Path:
    """``{name}.sqlite3``, created owner-only before SQLite opens it (its journal files inherit the mode)."""
    path = data / f"{name}.sqlite3"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return path


STARTUP_ERRORS = (OSError, sqlite3.Error, SecretFileError, PaymentError)
"""What can go wrong while a data directory is opened, each turned into one line by :func:`describe`."""
