"""The machine record: everything a reader needs to judge and reproduce a benchmark result.

Numbers without their machine are rumours. Each run records the CPU (and whether it has AES
instructions, which decide AES-GCM's speed), the Python, both OpenSSLs (the one inside
``cryptography``'s wheel and the ``openssl`` command, which can differ), the library versions,
the command, and the load average at start and end: on a shared 2-core machine a load near 2
means every number is a lower bound.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from importlib import metadata

PACKAGES = ("paycore", "cryptography", "rsa", "pycryptodome", "gmpy2", "sympy", "matplotlib", "tqdm")


def _cpuinfo() -> dict[str, str]:
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or ``None`` where the OS has none (Windows)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def openssl_command_version() -> str | None:
    """``openssl version`` of the command on PATH (the one ``openssl speed`` runs), if any."""
    if shutil.which("openssl") is None:
        return None
    try:
        done = subprocess.run(["openssl", "version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None


def _openssl_in_cryptography() -> str | None:
    try:
        from cryptography.hazmat.backends.openssl.backend import backend

        return backend.openssl_version_text()
    except Exception:  # pragma: no cover - cryptography is a hard dependency
        return None


def _gmp_version() -> str | None:
    try:
        import gmpy2
    except ImportError:
        return None
    return gmpy2.mp_version()


def command_line() -> str:
    """How this process was started, as a user would type it."""
    return " ".join([os.path.basename(sys.argv[0]), *sys.argv[1:]])


def machine_info(packages: tuple[str, ...] = PACKAGES) -> dict:
    """Machine, CPU, Python, OpenSSL and library versions, the command, and the current load."""
    cpu = _cpuinfo()
    flags = cpu.get("flags", "").split()
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu.get("model name") or platform.processor() or "unknown",
        "cpu_mhz": cpu.get("cpu MHz"),
        "cpu_has_aes": ("aes" in flags) if flags else None,
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "openssl_in_cryptography": _openssl_in_cryptography(),
        "openssl_command": openssl_command_version(),
        "gmp": _gmp_version(),
        "packages": {name: _version(name) for name in packages},
        "command": command_line(),
        "load_average": load_average(),
    }
