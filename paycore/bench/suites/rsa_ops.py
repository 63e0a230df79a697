"""Benchmark suite ``rsa``: one RSA operation per key size, every implementation on the same key.

Pure Python (paycore.textbook with and without the CRT, paycore.pkcs1's OAEP and PSS,
python-rsa), GMP-backed Python (the same CRT on gmpy2 integers, sympy), and C (OpenSSL through
``cryptography`` and paycore.secure, PyCryptodome, and ``openssl speed`` as the reference).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from paycore.bench import plotting
from paycore.bench.harness import Case, Result, Skipped
from paycore.bench.ratios import Lookup, Ratio, present
from paycore.bench.suites._keys import case_name
from paycore.bench.suites._native import cryptography_cases, pycryptodome_cases, secure_cases
from paycore.bench.suites._openssl import openssl_cases
from paycore.bench.suites._pure import gmpy2_cases, pkcs1_cases, python_rsa_cases, sympy_cases, textbook_cases

NAME = "rsa"
TITLE = "RSA operations per key size, every implementation on the same key"
QUESTION = (
    "How fast is one RSA operation in pure Python, with GMP, and in C? What do the CRT and gmpy2 buy, "
    "and what do paycore's own layers (pkcs1 padding, the secure wrappers) cost on top?"
)
SIZES = {"quick": (2048,), "full": (1024, 2048, 3072, 4096)}
HEADLINE_BITS = 2048


def cases(quick: bool = False) -> list[Case | Skipped]:
    """Every implementation at every size (only 2048 bits in quick mode)."""
    found: list[Case | Skipped] = []
    for bits in SIZES["quick" if quick else "full"]:
        for builder in (textbook_cases, gmpy2_cases, pkcs1_cases, python_rsa_cases, sympy_cases):
            found += builder(bits)
        for builder in (secure_cases, cryptography_cases, pycryptodome_cases):
            found += builder(bits)
        found += openssl_cases(bits, repeats=1 if quick else 3)
    return found


def _at(label: str, bits: int = HEADLINE_BITS) -> str:
    return case_name(_ALIASES.get(label, label), bits)


_ALIASES = {"crt": "textbook decrypt_int (CRT)", "pow": "textbook decrypt_int_no_crt"}

_SPEEDUPS = (
    (
        "openssl_vs_pure_2048",
        "openssl speed sign",
        "crt",
        "OpenSSL (`openssl speed` sign, a private-key "
        "operation) is {x} faster than pure-Python CRT decryption at 2048 bits",
        {},
    ),
    (
        "cryptography_vs_pure_2048",
        "cryptography OAEP decrypt",
        "crt",
        "`cryptography` OAEP decryption is {x} faster than pure-Python CRT decryption at 2048 bits",
        {},
    ),
    (
        "crt_vs_pow_2048",
        "crt",
        "pow",
        "CRT speeds pure-Python decryption by {x} at 2048 bits",
        {"at_least": 3.0},
    ),
    (
        "crt_vs_python_rsa_2048",
        "crt",
        "python-rsa blinded_decrypt (raw)",
        "paycore's CRT decrypts at {x} the rate of python-rsa's raw (CRT + blinding) decryption at 2048 bits",
        {"at_least": 1.0},
    ),
    (
        "gmpy2_vs_pure_crt_2048",
        "gmpy2 CRT decrypt (same key)",
        "crt",
        "gmpy2 speeds the pure-Python CRT by {x} at 2048 bits (the same code on GMP integers)",
        {},
    ),
    (
        "sympy_vs_pure_pow_2048",
        "sympy decipher_rsa",
        "pow",
        "sympy's decipher_rsa (GMP pow, no CRT) is {x} faster than pure-Python pow without CRT at 2048 bits",
        {},
    ),
    (
        "cryptography_vs_pycryptodome_2048",
        "cryptography OAEP decrypt",
        "PyCryptodome OAEP decrypt",
        "`cryptography` OAEP decryption is {x} faster than PyCryptodome's at 2048 bits",
        {},
    ),
)

_WRAPPER = (
    "paycore's wrapper adds only type checks and the 2048-bit minimum check; both calls build the "
    "padding object."
)
_PRIVATE_PADDING = (
    "The padding (SHA-256 hashes, MGF1, byte work) costs tens of microseconds in pure Python, "
    "lost in a private-key exponentiation of milliseconds."
)
_PUBLIC_PADDING = (
    "A public-key exponentiation with e = 65537 is only 17 modular squarings and one multiplication, "
    "so the same tens of microseconds of pure-Python padding (SHA-256, MGF1, the XOR of a k-byte "
    "block) are a visible share: the target holds for the private-key side, where the time is."
)
_OVERHEADS = (
    ("secure_oaep_decrypt_overhead", "paycore.secure oaep_decrypt", "cryptography OAEP decrypt",
     "paycore.secure.oaep_decrypt takes {x} the time of `cryptography` called directly", 1.05, _WRAPPER),
    ("secure_pss_sign_overhead", "paycore.secure sign (PSS)", "cryptography PSS sign",
     "paycore.secure.sign (PSS) takes {x} the time of `cryptography` called directly", 1.05, _WRAPPER),
    ("pkcs1_oaep_decrypt_overhead", "pkcs1 oaep_decrypt", "crt",
     "pkcs1.oaep_decrypt takes {x} the time of the raw textbook decrypt_int", 1.10, _PRIVATE_PADDING),
    ("pkcs1_pss_sign_overhead", "pkcs1 pss_sign", "textbook sign_int (CRT)",
     "pkcs1.pss_sign takes {x} the time of the raw textbook sign_int", 1.10, _PRIVATE_PADDING),
    ("pkcs1_oaep_encrypt_overhead", "pkcs1 oaep_encrypt", "textbook encrypt_int",
     "pkcs1.oaep_encrypt takes {x} the time of the raw textbook encrypt_int", 1.10, _PUBLIC_PADDING),
    ("pkcs1_pss_verify_overhead", "pkcs1 pss_verify", "textbook verify_int",
     "pkcs1.pss_verify takes {x} the time of the raw textbook verify_int", 1.10, _PUBLIC_PADDING),
)  # fmt: skip


def ratios(results: list[Result]) -> list[Ratio]:
    """Speed-ups at 2048 bits, the targets for paycore's own layers, and what a bigger key costs.

    A layer does everything the call beneath it does and more, so its overhead cannot be below 1;
    a bigger key cannot be cheaper than a smaller one.
    """
    look = Lookup(results)
    found = present(
        *(look.ratio(key, text, _at(a), _at(b), **target) for key, a, b, text, target in _SPEEDUPS)
    )
    for key, ours, theirs, text, limit, why in _OVERHEADS:
        ratio = look.time_ratio(
            key, text + " (2048 bits)", _at(ours), _at(theirs), at_most=limit, possible_min=1.0
        )
        if ratio is not None:
            extra = (look.seconds(_at(ours)) - look.seconds(_at(theirs))) * 1e6
            base = look.seconds(_at(theirs)) * 1e6
            found.append(
                replace(ratio, note=f"difference {extra:+.1f} µs per call against {base:.1f} µs. {why}")
            )
    for bits in (3072, 4096):
        text = f"A {bits}-bit private-key operation costs {{x}} a 2048-bit one (`cryptography` OAEP decrypt)"
        found += present(
            look.time_ratio(
                f"cost_{bits}_vs_2048",
                text,
                _at("cryptography OAEP decrypt", bits),
                _at("cryptography OAEP decrypt"),
                possible_min=1.0,
            )
        )
    return found


def plot(results: list[Result], out: Path) -> list[Path]:
    """Private-key operations against key size (lines, when the run has several sizes), and every
    operation at 2048 bits (bars)."""
    private = [r for r in results if r.params.get("op") in ("decrypt", "sign")]
    series: dict[str, list] = {}
    for result in private:
        if "series" in result.params:
            series.setdefault(result.params["series"], []).append(result)
    written = []
    if len({r.params.get("bits") for r in private}) > 1:  # a quick run has one size: no line to draw
        figure = plotting.line_chart(
            {
                label: plotting.rate_points(rs, "bits")
                for label, rs in sorted(series.items(), key=lambda kv: -kv[1][0].median_ops)
            },
            title="RSA private-key operations (decrypt or sign) per second",
            xlabel="key size (bits)",
            ylabel="operations per second (log)",
        )
        written.append(plotting.save(figure, out / "rsa_private_ops_by_size.png"))
    for op_group, file_name, title in (
        ("rsa-private", "rsa_private_ops_2048.png", "Private-key operations at 2048 bits (decrypt, sign)"),
        ("rsa-public", "rsa_public_ops_2048.png", "Public-key operations at 2048 bits (encrypt, verify)"),
    ):
        chosen = [r for r in results if r.group == op_group and r.params.get("bits") == HEADLINE_BITS]
        if chosen:
            figure = plotting.bar_chart(
                [
                    (r.name.removesuffix(f" @{HEADLINE_BITS}"), plotting.rate_points([r], "bits")[0])
                    for r in chosen
                ],
                title=title,
                xlabel="operations per second (log scale)",
                categories=[r.params.get("engine", "") for r in chosen],
            )
            written.append(plotting.save(figure, out / file_name))
    return written
