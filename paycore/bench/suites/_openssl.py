"""``openssl speed``: the C reference row, run as a command and parsed.

``openssl speed -seconds 1 rsa2048`` signs for a second, verifies for a second, and prints a
table whose header names its rate columns (``sign/s verify/s``; OpenSSL 3.2 and later add
``encr./s decr./s``). We read the header rather than assume the column count. One run serves
both the sign case and the verify case of a key size. RSA signing is the private-key
operation, so the sign rate is what to compare with decryption elsewhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from paycore.bench.harness import Case, Skipped
from paycore.bench.suites._keys import case_name
from paycore.bench.suites._pure import PRIVATE, PUBLIC, params

_ROW = re.compile(r"^rsa\s*(\d+)\s+bits?\s+(.*)$")


def parse_speed(output: str) -> dict[int, dict[str, float]]:
    """``{bits: {"sign/s": ..., "verify/s": ...}}`` from ``openssl speed`` text output.

    >>> text = '''                  sign    verify    sign/s verify/s
    ... rsa 2048 bits 0.000242s 0.000016s   4129.3  61624.0'''
    >>> parse_speed(text)
    {2048: {'sign/s': 4129.3, 'verify/s': 61624.0}}
    """
    columns: list[str] = []
    rates: dict[int, dict[str, float]] = {}
    for line in output.splitlines():
        tokens = line.split()
        if tokens and "sign/s" in tokens:
            columns = [token for token in tokens if token.endswith("/s")]
            continue
        match = _ROW.match(line.strip())
        if match and columns:
            values = match.group(2).split()[-len(columns) :]
            rates[int(match.group(1))] = {
                name: float(value) for name, value in zip(columns, values, strict=False)
            }
    return rates


def run_speed(bits: int, seconds: int = 1, timeout: float = 60) -> dict[str, float]:
    """Run ``openssl speed -seconds N rsaBITS`` and return its rates for that size."""
    done = subprocess.run(
        ["openssl", "speed", "-seconds", str(seconds), f"rsa{bits}"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    rates = parse_speed(done.stdout)
    if bits not in rates:
        raise ValueError(f"could not find rsa {bits} in the output of openssl speed:\n{done.stdout[-500:]}")
    return rates[bits]


class _SharedRuns:
    """The sign case runs ``openssl speed`` and keeps the verify rate for the verify case."""

    def __init__(self, bits: int) -> None:
        self.bits = bits
        self.pending_verify: list[float] = []

    def sign(self) -> float:
        rates = run_speed(self.bits)
        self.pending_verify.append(rates["verify/s"])
        return rates["sign/s"]

    def verify(self) -> float:
        if self.pending_verify:
            return self.pending_verify.pop(0)
        return run_speed(self.bits)["verify/s"]


def openssl_cases(bits: int, repeats: int) -> list[Case | Skipped]:
    """The sign and verify rows for one key size (``openssl`` must be on PATH)."""
    if shutil.which("openssl") is None:
        return [Skipped(case_name("openssl speed", bits), "no openssl command on PATH")]
    runs = _SharedRuns(bits)
    lib = "openssl speed"
    return [
        Case(
            case_name("openssl speed sign", bits),
            PRIVATE,
            runs.sign,
            params(bits, lib, "sign", "PKCS1v15", "openssl speed sign (C reference)"),
            repeats=repeats,
            reports_rate=True,
        ),
        Case(
            case_name("openssl speed verify", bits),
            PUBLIC,
            runs.verify,
            params(bits, lib, "verify", "PKCS1v15"),
            repeats=repeats,
            reports_rate=True,
        ),
    ]
