"""RSA cases for the compiled implementations: paycore.secure, ``cryptography`` direct, PyCryptodome.

``cryptography`` is called as its documentation shows, building the padding object in the
call; paycore.secure does the same inside, plus its argument checks, so the two differ by
exactly paycore's overhead (its target: within 5%).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from paycore.bench.harness import Case, Skipped
from paycore.bench.suites._keys import MESSAGE, SECRET, bench_key, case_name
from paycore.bench.suites._pure import PRIVATE, PUBLIC, in_turns, params


def oaep_padding() -> padding.OAEP:
    """OAEP with SHA-256 and MGF1-SHA-256, as paycore.secure uses it."""
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def secure_cases(bits: int) -> list[Case | Skipped]:
    """paycore.secure: the production path (it refuses keys below 2048 bits)."""
    from paycore import secure

    if bits < secure.MIN_KEY_BITS:
        return [
            Skipped(
                case_name("paycore.secure", bits),
                f"paycore.secure refuses keys below {secure.MIN_KEY_BITS} bits",
            )
        ]
    private = bench_key(bits).native
    public = private.public_key()
    ciphertext = secure.oaep_encrypt(public, SECRET)
    signature = secure.sign(private, MESSAGE)
    lib = "paycore.secure"
    cases: list[Case | Skipped] = [
        Case(
            case_name("paycore.secure oaep_encrypt", bits),
            PUBLIC,
            lambda: secure.oaep_encrypt(public, SECRET),
            params(bits, lib, "encrypt", "OAEP-SHA256"),
        ),
        Case(
            case_name("paycore.secure oaep_decrypt", bits),
            PRIVATE,
            lambda: secure.oaep_decrypt(private, ciphertext),
            params(bits, lib, "decrypt", "OAEP-SHA256"),
        ),
        Case(
            case_name("paycore.secure sign (PSS)", bits),
            PRIVATE,
            lambda: secure.sign(private, MESSAGE),
            params(bits, lib, "sign", "PSS-SHA256"),
        ),
        Case(
            case_name("paycore.secure verify (PSS)", bits),
            PUBLIC,
            lambda: secure.verify(public, MESSAGE, signature),
            params(bits, lib, "verify", "PSS-SHA256"),
        ),
    ]
    return in_turns(cases, "OpenSSL", bits)


def cryptography_cases(bits: int) -> list[Case | Skipped]:
    """pyca/cryptography called directly (OpenSSL underneath): OAEP-SHA256 and PSS-SHA256."""
    private = bench_key(bits).native
    public = private.public_key()
    ciphertext = public.encrypt(SECRET, oaep_padding())
    signature = private.sign(MESSAGE, _pss(), hashes.SHA256())
    lib = "cryptography"
    cases: list[Case | Skipped] = [
        Case(
            case_name("cryptography OAEP encrypt", bits),
            PUBLIC,
            lambda: public.encrypt(SECRET, oaep_padding()),
            params(bits, lib, "encrypt", "OAEP-SHA256"),
        ),
        Case(
            case_name("cryptography OAEP decrypt", bits),
            PRIVATE,
            lambda: private.decrypt(ciphertext, oaep_padding()),
            params(bits, lib, "decrypt", "OAEP-SHA256", "cryptography OAEP decrypt (OpenSSL)"),
        ),
        Case(
            case_name("cryptography PSS sign", bits),
            PRIVATE,
            lambda: private.sign(MESSAGE, _pss(), hashes.SHA256()),
            params(bits, lib, "sign", "PSS-SHA256"),
        ),
        Case(
            case_name("cryptography PSS verify", bits),
            PUBLIC,
            lambda: public.verify(signature, MESSAGE, _pss(), hashes.SHA256()),
            params(bits, lib, "verify", "PSS-SHA256"),
        ),
    ]
    return in_turns(cases, "OpenSSL", bits)


def pycryptodome_cases(bits: int) -> list[Case | Skipped]:
    """PyCryptodome (its own C big-number code): OAEP-SHA256 and PSS-SHA256, cipher built per call."""
    try:
        from Crypto.Cipher import PKCS1_OAEP
        from Crypto.Hash import SHA256
        from Crypto.PublicKey import RSA
        from Crypto.Signature import pss
    except ImportError:
        return [
            Skipped(
                case_name("PyCryptodome", bits), "PyCryptodome is not installed (pip install pycryptodome)"
            )
        ]
    key = bench_key(bits).textbook
    private = RSA.construct((key.n, key.e, key.d, key.p, key.q))
    public = private.public_key()
    ciphertext = PKCS1_OAEP.new(public, hashAlgo=SHA256).encrypt(SECRET)
    signature = pss.new(private).sign(SHA256.new(MESSAGE))
    lib = "PyCryptodome"
    return [
        Case(
            case_name("PyCryptodome OAEP encrypt", bits),
            PUBLIC,
            lambda: PKCS1_OAEP.new(public, hashAlgo=SHA256).encrypt(SECRET),
            params(bits, lib, "encrypt", "OAEP-SHA256"),
        ),
        Case(
            case_name("PyCryptodome OAEP decrypt", bits),
            PRIVATE,
            lambda: PKCS1_OAEP.new(private, hashAlgo=SHA256).decrypt(ciphertext),
            params(bits, lib, "decrypt", "OAEP-SHA256", "PyCryptodome OAEP decrypt"),
        ),
        Case(
            case_name("PyCryptodome PSS sign", bits),
            PRIVATE,
            lambda: pss.new(private).sign(SHA256.new(MESSAGE)),
            params(bits, lib, "sign", "PSS-SHA256"),
        ),
        Case(
            case_name("PyCryptodome PSS verify", bits),
            PUBLIC,
            lambda: pss.new(public).verify(SHA256.new(MESSAGE), signature),
            params(bits, lib, "verify", "PSS-SHA256"),
        ),
    ]
