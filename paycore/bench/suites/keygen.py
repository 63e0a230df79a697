"""Benchmark suite ``keygen``: how long one RSA key pair takes, per size and library.

Key generation is a random search for primes, so one key can take five times another: each
repeat makes exactly one key (no calibration, no warm-up) and we report the median over
several, fewer for the slow big sizes. paycore's textbook generator trial-divides candidates
before Miller-Rabin; python-rsa does not; ``cryptography`` runs OpenSSL's C code.
"""

from __future__ import annotations

from pathlib import Path

from paycore.bench import plotting
from paycore.bench.harness import Case, Result, Skipped
from paycore.bench.ratios import Lookup, Ratio, present
from paycore.bench.suites._keys import E, case_name

NAME = "keygen"
TITLE = "RSA key generation time per key size"
QUESTION = (
    "How long does a new RSA key take in pure Python (paycore.textbook, python-rsa) and in C "
    "(`cryptography`), and how fast does that grow with the key size?"
)
REPEATS = {
    "quick": {1024: 5, 2048: 3},
    "full": {1024: 11, 2048: 11, 3072: 5, 4096: 3},
}
NATIVE_REPEATS = {"quick": 5, "full": 11}


def _generator(library: str, bits: int):
    if library == "paycore.textbook":
        from paycore.textbook import generate_private_key

        return lambda: generate_private_key(bits, e=E)
    if library == "python-rsa":
        import rsa

        return lambda: rsa.newkeys(bits, exponent=E)
    if library == "cryptography":
        from cryptography.hazmat.primitives.asymmetric import rsa as native

        return lambda: native.generate_private_key(public_exponent=E, key_size=bits)
    raise ValueError(f"unknown key generator {library!r}")


LIBRARIES = ("paycore.textbook", "python-rsa", "cryptography")


def keygen_case(library: str, bits: int, quick: bool) -> Case | Skipped:
    """One key per repeat, the libraries of one size in turns (a burst of load hits all alike)."""
    mode = "quick" if quick else "full"
    repeats = NATIVE_REPEATS[mode] if library == "cryptography" else REPEATS[mode][bits]
    name = case_name(f"{library} keygen", bits)
    try:
        generate = _generator(library, bits)
    except ImportError as exc:
        return Skipped(name, f"{library} is not installed ({exc})")
    params = {"bits": bits, "library": library, "op": "keygen", "series": library}
    return Case(name, "keygen", generate, params, repeats=repeats, loops=1, together=f"keygen @{bits}")


def cases(quick: bool = False) -> list[Case | Skipped]:
    """Three generators at each size (1024 and 2048 bits in quick mode)."""
    sizes = REPEATS["quick" if quick else "full"]
    return [keygen_case(library, bits, quick) for bits in sizes for library in LIBRARIES]


def ratios(results: list[Result]) -> list[Ratio]:
    """The key generation target (a third of python-rsa's time), and how the cost grows with size."""
    look = Lookup(results)
    ours, theirs = case_name("paycore.textbook keygen", 2048), case_name("python-rsa keygen", 2048)
    found = present(
        look.time_ratio(
            "keygen_vs_python_rsa_2048",
            "paycore.textbook key generation takes {x} the time of python-rsa's newkeys at 2048 bits",
            ours,
            theirs,
            at_most=1 / 3,
        ),
        look.ratio(
            "keygen_native_vs_textbook_2048",
            "`cryptography` (OpenSSL) makes a 2048-bit key {x} faster than paycore.textbook",
            case_name("cryptography keygen", 2048),
            ours,
        ),
    )
    for library in ("paycore.textbook", "cryptography"):
        found += present(
            look.time_ratio(
                f"keygen_growth_{library}",
                f"A 4096-bit key takes {{x}} the time of a 2048-bit key ({library})",
                case_name(f"{library} keygen", 4096),
                case_name(f"{library} keygen", 2048),
                possible_min=1.0,
            )
        )
    return found


def plot(results: list[Result], out: Path) -> list[Path]:
    """Seconds per key against key size, one line per library, min-max bars."""
    series: dict[str, list[Result]] = {}
    for result in results:
        series.setdefault(result.params["library"], []).append(result)
    if len({result.params["bits"] for result in results}) < 2:
        return []  # one size is no line: the report's table has the numbers
    figure = plotting.line_chart(
        {label: plotting.rate_points(rs, "bits", per_op="seconds") for label, rs in series.items()},
        title="RSA key generation: seconds per key (median, min-max of the repeats)",
        xlabel="key size (bits)",
        ylabel="seconds per key (log)",
    )
    return [plotting.save(figure, out / "keygen_seconds_by_size.png")]
