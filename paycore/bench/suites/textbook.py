"""Benchmark suite ``textbook``: paycore's RSA from the math against python-rsa, its targets in one place.

Is our key generation at least 3x faster than python-rsa's ``newkeys`` at 2048 bits, and is
our CRT decryption at least as fast as python-rsa's and at least 3x the plain ``pow(c, d, n)``?
Both libraries are pure Python, so this is a fair fight of algorithms. The cases are the
``keygen`` and ``rsa`` suites' own (same definitions), so a full run measures them once.
"""

from __future__ import annotations

from paycore.bench.harness import Case, Result, Skipped
from paycore.bench.ratios import Ratio
from paycore.bench.suites import keygen, rsa_ops
from paycore.bench.suites._pure import PRIVATE, pkcs1_cases, python_rsa_cases, textbook_cases

NAME = "textbook"
TITLE = "paycore.textbook against python-rsa at 2048 bits: key generation and CRT decryption"
QUESTION = (
    "Does paycore's textbook RSA make a key in a third of python-rsa's time, and decrypt with the CRT "
    "at least as fast as python-rsa and at least 3x faster than the plain pow(c, d, n)?"
)
BITS = 2048
TARGETED = ("keygen_vs_python_rsa_2048", "crt_vs_python_rsa_2048", "crt_vs_pow_2048")


def cases(quick: bool = False) -> list[Case | Skipped]:
    """Key generation, then the pure-Python private-key operations, each batch as the other suites define it.

    The batches are measured in turns and must match the ``keygen`` and ``rsa`` suites' batches
    case for case to be reused, so they include a few cases this suite's ratios do not use.
    """
    found: list[Case | Skipped] = [keygen.keygen_case(library, BITS, quick) for library in keygen.LIBRARIES]
    private = f"pure Python {PRIVATE} @{BITS}"
    for case in textbook_cases(BITS) + pkcs1_cases(BITS) + python_rsa_cases(BITS):
        if isinstance(case, Skipped) or case.together == private:
            found.append(case)
    return found


def ratios(results: list[Result]) -> list[Ratio]:
    """The three ratios with targets for the textbook layer."""
    every = keygen.ratios(results) + rsa_ops.ratios(results)
    return [ratio for key in TARGETED for ratio in every if ratio.key == key]
