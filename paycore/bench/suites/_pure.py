"""RSA cases for the pure-Python (and GMP-backed) implementations, one builder per library.

Every builder takes a key size, sets up its inputs on the run's shared key (outside the timed
function) and returns :class:`Case` objects, or a :class:`Skipped` saying why it cannot.
Raw operations work on a full-size integer, as a padded message would be.
"""

from __future__ import annotations

from dataclasses import replace

from paycore.bench.harness import Case, Skipped
from paycore.bench.suites._keys import MESSAGE, SECRET, bench_key, case_name
from paycore.textbook import decrypt_int, decrypt_int_no_crt, encrypt_int, sign_int, verify_int

PRIVATE, PUBLIC = "rsa-private", "rsa-public"
ENGINES = {
    "paycore.textbook": "pure Python",
    "paycore.pkcs1": "pure Python",
    "python-rsa": "pure Python",
    "gmpy2": "GMP (C) from Python",
    "sympy": "GMP (C) from Python",
    "paycore.secure": "C (OpenSSL)",
    "cryptography": "C (OpenSSL)",
    "openssl speed": "C (OpenSSL)",
    "PyCryptodome": "C (PyCryptodome)",
}
"""What does the arithmetic, for each library: the first thing that decides its speed."""


def in_turns(cases: list[Case | Skipped], family: str, bits: int) -> list[Case | Skipped]:
    """Label cases to be measured in turns with the rest of their ``family`` and key group.

    The ratios with targets compare pure-Python implementations with each other (CRT against
    ``pow``, padding against the raw operation, paycore against python-rsa) and paycore.secure
    with ``cryptography``; measured in turns, a burst of load hits both sides of a ratio alike.
    """
    return [replace(c, together=f"{family} {c.group} @{bits}") if isinstance(c, Case) else c for c in cases]


def params(bits: int, library: str, op: str, scheme: str, series: str | None = None, **extra) -> dict:
    """What a case varies; ``series`` marks the cases drawn as lines across key sizes."""
    record = {
        "bits": bits,
        "library": library,
        "engine": ENGINES[library],
        "op": op,
        "scheme": scheme,
        **extra,
    }
    if series:
        record["series"] = series
    return record


def textbook_cases(bits: int) -> list[Case | Skipped]:
    """paycore.textbook on integers: ``pow`` with and without the CRT."""
    key = bench_key(bits).textbook
    public = key.public_key()
    m = key.n * 2 // 3  # a full-size message, as padding makes
    c = encrypt_int(public, m)
    s = sign_int(key, m)
    lib = "paycore.textbook"
    cases: list[Case | Skipped] = [
        Case(
            case_name("textbook encrypt_int", bits),
            PUBLIC,
            lambda: encrypt_int(public, m),
            params(bits, lib, "encrypt", "raw"),
        ),
        Case(
            case_name("textbook decrypt_int_no_crt", bits),
            PRIVATE,
            lambda: decrypt_int_no_crt(key, c),
            params(bits, lib, "decrypt", "raw", "pure Python pow(c, d, n), no CRT", variant="pow"),
        ),
        Case(
            case_name("textbook decrypt_int (CRT)", bits),
            PRIVATE,
            lambda: decrypt_int(key, c),
            params(bits, lib, "decrypt", "raw", "pure Python CRT", variant="crt"),
        ),
        Case(
            case_name("textbook sign_int (CRT)", bits),
            PRIVATE,
            lambda: sign_int(key, m),
            params(bits, lib, "sign", "raw", variant="crt"),
        ),
        Case(
            case_name("textbook verify_int", bits),
            PUBLIC,
            lambda: verify_int(public, m, s),
            params(bits, lib, "verify", "raw"),
        ),
    ]
    return in_turns(cases, "pure Python", bits)


def gmpy2_cases(bits: int) -> list[Case | Skipped]:
    """The very same CRT as :func:`paycore.textbook.decrypt_int`, on gmpy2 (GMP) integers."""
    name = case_name("gmpy2 CRT decrypt (same key)", bits)
    try:
        import gmpy2
    except ImportError:
        return [Skipped(name, "gmpy2 is not installed (pip install gmpy2)")]
    key = bench_key(bits).textbook
    p, q, dp, dq, qinv = (gmpy2.mpz(v) for v in (key.p, key.q, key.dp, key.dq, key.qinv))
    c = encrypt_int(key.public_key(), key.n * 2 // 3)

    def decrypt() -> int:
        big_c = gmpy2.mpz(c)
        m_p, m_q = gmpy2.powmod(big_c, dp, p), gmpy2.powmod(big_c, dq, q)
        return int(m_q + (qinv * (m_p - m_q)) % p * q)

    if decrypt() != decrypt_int(key, c):  # never time a wrong answer
        raise AssertionError("gmpy2 CRT disagrees with paycore.textbook.decrypt_int")
    return [Case(name, PRIVATE, decrypt, params(bits, "gmpy2", "decrypt", "raw", "gmpy2 CRT", variant="crt"))]


def pkcs1_cases(bits: int) -> list[Case | Skipped]:
    """paycore.pkcs1: OAEP and PSS from scratch on the textbook key (target: within 10% of raw)."""
    names = [
        case_name(f"pkcs1 {op}", bits) for op in ("oaep_encrypt", "oaep_decrypt", "pss_sign", "pss_verify")
    ]
    try:
        from paycore.pkcs1 import oaep_decrypt, oaep_encrypt, pss_sign, pss_verify

        key = bench_key(bits).textbook
        public = key.public_key()
        ciphertext = oaep_encrypt(public, SECRET)
        signature = pss_sign(key, MESSAGE)
        if oaep_decrypt(key, ciphertext) != SECRET or pss_verify(public, MESSAGE, signature) is not None:
            raise AssertionError("round trip failed")
    except Exception as exc:  # the module is young: report why rather than lose the run
        return [Skipped(name, f"paycore.pkcs1 not usable: {type(exc).__name__}: {exc}") for name in names]
    lib = "paycore.pkcs1"
    cases: list[Case | Skipped] = [
        Case(
            names[0],
            PUBLIC,
            lambda: oaep_encrypt(public, SECRET),
            params(bits, lib, "encrypt", "OAEP-SHA256"),
        ),
        Case(
            names[1],
            PRIVATE,
            lambda: oaep_decrypt(key, ciphertext),
            params(bits, lib, "decrypt", "OAEP-SHA256", "pure Python OAEP (paycore.pkcs1)"),
        ),
        Case(names[2], PRIVATE, lambda: pss_sign(key, MESSAGE), params(bits, lib, "sign", "PSS-SHA256")),
        Case(
            names[3],
            PUBLIC,
            lambda: pss_verify(public, MESSAGE, signature),
            params(bits, lib, "verify", "PSS-SHA256"),
        ),
    ]
    return in_turns(cases, "pure Python", bits)


def python_rsa_cases(bits: int) -> list[Case | Skipped]:
    """python-rsa, pure Python with CRT and blinding; PKCS#1 v1.5 only (it has no OAEP or PSS)."""
    try:
        import rsa
    except ImportError:
        return [Skipped(case_name("python-rsa", bits), "python-rsa is not installed (pip install rsa)")]
    key = bench_key(bits).textbook
    private = rsa.PrivateKey(key.n, key.e, key.d, key.p, key.q)
    public = rsa.PublicKey(key.n, key.e)
    ciphertext = rsa.encrypt(SECRET, public)
    raw = encrypt_int(key.public_key(), key.n * 2 // 3)
    signature = rsa.sign(MESSAGE, private, "SHA-256")
    lib = "python-rsa"
    cases: list[Case | Skipped] = [
        Case(
            case_name("python-rsa encrypt (v1.5)", bits),
            PUBLIC,
            lambda: rsa.encrypt(SECRET, public),
            params(bits, lib, "encrypt", "PKCS1v15"),
        ),
        Case(
            case_name("python-rsa decrypt (v1.5)", bits),
            PRIVATE,
            lambda: rsa.decrypt(ciphertext, private),
            params(bits, lib, "decrypt", "PKCS1v15", "python-rsa decrypt (CRT + blinding)"),
        ),
        Case(
            case_name("python-rsa blinded_decrypt (raw)", bits),
            PRIVATE,
            lambda: private.blinded_decrypt(raw),
            params(bits, lib, "decrypt", "raw", variant="crt+blinding"),
        ),
        Case(
            case_name("python-rsa sign SHA-256 (v1.5)", bits),
            PRIVATE,
            lambda: rsa.sign(MESSAGE, private, "SHA-256"),
            params(bits, lib, "sign", "PKCS1v15"),
        ),
        Case(
            case_name("python-rsa verify (v1.5)", bits),
            PUBLIC,
            lambda: rsa.verify(MESSAGE, signature, public),
            params(bits, lib, "verify", "PKCS1v15"),
        ),
    ]
    return in_turns(cases, "pure Python", bits)


def sympy_cases(bits: int) -> list[Case | Skipped]:
    """sympy's ``encipher_rsa``/``decipher_rsa`` with keys from its own ``rsa_*_key`` functions.

    sympy's ``rsa_private_key`` returns ``d`` as a gmpy2 ``mpz`` when gmpy2 is installed, so
    its plain ``pow(c, d, n)`` runs in GMP: faster than pure Python, though it skips the CRT.
    """
    try:
        from sympy.crypto.crypto import decipher_rsa, encipher_rsa, rsa_private_key, rsa_public_key
    except ImportError:
        return [Skipped(case_name("sympy", bits), "sympy is not installed (pip install sympy)")]
    key = bench_key(bits).textbook
    public, private = rsa_public_key(key.p, key.q, key.e), rsa_private_key(key.p, key.q, key.e)
    m = key.n * 2 // 3
    c = encipher_rsa(m, public)
    lib, d_type = "sympy", type(private[1]).__name__
    return [
        Case(
            case_name("sympy encipher_rsa", bits),
            PUBLIC,
            lambda: encipher_rsa(m, public),
            params(bits, lib, "encrypt", "raw"),
        ),
        Case(
            case_name("sympy decipher_rsa", bits),
            PRIVATE,
            lambda: decipher_rsa(c, private),
            params(
                bits, lib, "decrypt", "raw", f"sympy decipher_rsa (pow on {d_type}, no CRT)", d_type=d_type
            ),
        ),
    ]
