"""Benchmark suite ``textbook``: paycore's RSA from the math against python-rsa.

Questions it answers (issue 2's targets): is our key generation at least 3x faster than
python-rsa's ``newkeys``, and is our CRT decryption as fast as python-rsa's and at least 3x the
plain ``pow(c, d, n)``? Both libraries are pure Python, so this is a fair fight of algorithms:
we trial-divide candidates before Miller-Rabin; python-rsa does not.
"""

from __future__ import annotations

from paycore.bench.harness import Case, Result
from paycore.textbook import decrypt_int, decrypt_int_no_crt, encrypt_int, generate_private_key, teaching_rng

NAME = "textbook"


def cases(quick: bool = False) -> list[Case]:
    """Key generation and raw decryption at 2048 bits, ours and python-rsa's."""
    import rsa

    bits = 2048
    key = generate_private_key(bits, rng=teaching_rng("bench"))
    ciphertext = encrypt_int(key.public_key(), 0xC0FFEE)
    peer = rsa.PrivateKey(key.n, key.e, key.d, key.p, key.q)
    peer_public = rsa.PublicKey(key.n, key.e)
    peer_ciphertext = rsa.encrypt(b"amount=12345", peer_public)
    keygen_repeats = 5 if quick else 11  # a random search: the median needs samples
    result = [
        Case(
            "paycore generate_private_key",
            "keygen",
            lambda: generate_private_key(bits),
            {"bits": bits, "library": "paycore"},
            repeats=keygen_repeats,
        ),
        Case(
            "python-rsa newkeys",
            "keygen",
            lambda: rsa.newkeys(bits),
            {"bits": bits, "library": "python-rsa"},
            repeats=keygen_repeats,
        ),
        Case(
            "paycore decrypt_int (CRT)",
            "decrypt",
            lambda: decrypt_int(key, ciphertext),
            {"bits": bits, "library": "paycore", "variant": "crt"},
        ),
        Case(
            "paycore decrypt_int_no_crt",
            "decrypt",
            lambda: decrypt_int_no_crt(key, ciphertext),
            {"bits": bits, "library": "paycore", "variant": "pow"},
        ),
        Case(
            "python-rsa blinded_decrypt (raw, CRT)",
            "decrypt",
            lambda: peer.blinded_decrypt(ciphertext),
            {"bits": bits, "library": "python-rsa", "variant": "crt+blinding"},
        ),
        Case(
            "python-rsa decrypt (PKCS#1 v1.5)",
            "decrypt",
            lambda: rsa.decrypt(peer_ciphertext, peer),
            {"bits": bits, "library": "python-rsa", "variant": "pkcs1v15"},
        ),
    ]
    return result


def ratios(results: list[Result]) -> list[tuple[str, float, str]]:
    """The headline ratios, each with the target it is judged against."""
    by_name = {r.name: r for r in results}

    def seconds(name: str) -> float:
        return by_name[name].median_seconds_per_op

    def rate(name: str) -> float:
        return by_name[name].median_ops

    return [
        (
            "keygen: paycore time / python-rsa time (2048 bits)",
            seconds("paycore generate_private_key") / seconds("python-rsa newkeys"),
            "target <= 0.33",
        ),
        (
            "decrypt: paycore CRT / python-rsa raw decrypt (ops/s)",
            rate("paycore decrypt_int (CRT)") / rate("python-rsa blinded_decrypt (raw, CRT)"),
            "target >= 1.0",
        ),
        (
            "decrypt: paycore CRT / paycore pow(c, d, n) (ops/s)",
            rate("paycore decrypt_int (CRT)") / rate("paycore decrypt_int_no_crt"),
            "target >= 3.0",
        ),
    ]
