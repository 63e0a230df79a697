"""Secret files written atomically and read back with suspicion.

A key or token file that is half written is worse than none: a 0-byte token file read as an
empty secret would make every HMAC keyed with nothing, or let an empty password through. So a
file is never written in place. :func:`write_atomically` writes a temporary file beside the
target (created with its final mode, so a secret is never world-readable, not even for a moment),
flushes it to disk, and only then moves it into place with one rename -- a crash or a full disk
leaves either the old file or the whole new one, never a torn one. The rename replaces a symbolic
link planted at the target rather than writing through it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (the directory entry), where the platform allows."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_atomically(
    path: str | os.PathLike, data: bytes, *, mode: int = 0o600, exclusive: bool = False
) -> Path:
    """Write ``data`` to ``path`` all at once, with ``mode`` from the first byte.

    ``exclusive=True`` refuses to replace an existing file (``FileExistsError``), decided by the
    operating system at the moment of linking, so two writers cannot both win. A symbolic link at
    ``path`` is replaced, never followed. On any failure the temporary file is removed.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(temporary, flags, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # the umask may have taken bits away
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(temporary, target)  # fails if the target exists, even a dangling link
            os.unlink(temporary)
        else:
            os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_directory(target.parent)
    return target


class SecretFileError(ValueError):
    """A secret file is missing, empty, truncated, unreadable or a link; the message says what to do."""


def read_secret(path: str | os.PathLike, *, min_bytes: int, advice: str) -> bytes:
    """The bytes of a secret file, refused unless it is a regular file holding at least ``min_bytes``.

    ``advice`` tells the reader what to do about a bad file (restore it, or delete it to make a new
    one) and goes into the error message together with the file's name.
    """
    target = Path(path)
    if target.is_symlink():
        raise SecretFileError(
            f"{target} is a symbolic link; secrets are read only from regular files. {advice}"
        )
    try:
        data = target.read_bytes()
    except OSError as exc:
        raise SecretFileError(f"cannot read {target}: {exc.strerror}. {advice}") from None
    if len(data) < min_bytes:
        state = "empty" if not data else f"only {len(data)} bytes long (at least {min_bytes} expected)"
        raise SecretFileError(f"{target} is {state}: it was not written completely. {advice}")
    return data
