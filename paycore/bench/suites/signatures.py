"""Benchmark suite ``signatures``: which signature for a payment message, by speed and size.

Every request, response and notification in the payment flow carries a signature (seed
article, 3.3 to 3.6). Candidates, all through ``cryptography``: RSA-2048 and RSA-3072 with PSS
and with PKCS#1 v1.5 (Alipay's and WeChat Pay's "RSA2"), ECDSA P-256, Ed25519, and HMAC-SHA256,
the shared-secret webhook scheme some gateways use (Stripe's, for one). HMAC is not a
signature: whoever can check it can forge it, so it fits only where both sides may sign.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding

from paycore.bench import plotting
from paycore.bench.harness import Case, Result
from paycore.bench.ratios import Lookup, Ratio, present
from paycore.bench.suites._keys import MESSAGE, bench_key

NAME = "signatures"
TITLE = "signing a payment message: RSA PSS and PKCS#1 v1.5, ECDSA, Ed25519, HMAC"
QUESTION = (
    "How many payment messages per second can one core sign and verify with each scheme, how big "
    "are its keys and signatures, and how strong is it?"
)

SECURITY_BITS = {
    "RSA-2048": 112,
    "RSA-3072": 128,
    "ECDSA P-256": 128,
    "Ed25519": 128,
    "HMAC-SHA256": 256,
}
"""Security strength in bits (NIST SP 800-57 Part 1 Rev. 5, table 2; Ed25519 as SP 800-186 rates
Curve25519; HMAC-SHA256 with the 256-bit key used here). 112 bits is acceptable until 2030, 128 after."""


def _public_key_bytes(public) -> int:
    """The public key's size as a SubjectPublicKeyInfo in DER (what a key id is computed over)."""
    return len(
        public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _strength(scheme: str) -> int:
    return next(bits for name, bits in SECURITY_BITS.items() if scheme.startswith(name))


def _pair(scheme: str, library: str, sign, verify, signature: bytes, key_bytes: int) -> list[Case]:
    params = {
        "scheme": scheme,
        "library": library,
        "signature_bytes": len(signature),
        "public_key_bytes": key_bytes,
        "security_bits": _strength(scheme),
    }
    return [
        Case(f"{scheme} sign", "sign", sign, {**params, "op": "sign"}),
        Case(f"{scheme} verify", "verify", verify, {**params, "op": "verify"}),
    ]


def _rsa(bits: int, name: str, make_padding) -> list[Case]:
    private = bench_key(bits).native
    public = private.public_key()
    signature = private.sign(MESSAGE, make_padding(), hashes.SHA256())
    return _pair(
        f"RSA-{bits} {name}",
        "cryptography",
        lambda: private.sign(MESSAGE, make_padding(), hashes.SHA256()),
        lambda: public.verify(signature, MESSAGE, make_padding(), hashes.SHA256()),
        signature,
        _public_key_bytes(public),
    )


def _pss() -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)


def cases(quick: bool = False) -> list[Case]:
    """Sign and verify for each scheme (quick mode measures the same cases, just shorter)."""
    found = []
    for bits in (2048, 3072):
        found += _rsa(bits, "PSS", _pss) + _rsa(bits, "PKCS#1 v1.5", padding.PKCS1v15)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_public = ec_key.public_key()
    ec_signature = ec_key.sign(MESSAGE, ec.ECDSA(hashes.SHA256()))
    found += _pair(
        "ECDSA P-256",
        "cryptography",
        lambda: ec_key.sign(MESSAGE, ec.ECDSA(hashes.SHA256())),
        lambda: ec_public.verify(ec_signature, MESSAGE, ec.ECDSA(hashes.SHA256())),
        ec_signature,
        _public_key_bytes(ec_public),
    )
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_public = ed_key.public_key()
    ed_signature = ed_key.sign(MESSAGE)
    found += _pair(
        "Ed25519",
        "cryptography",
        lambda: ed_key.sign(MESSAGE),
        lambda: ed_public.verify(ed_signature, MESSAGE),
        ed_signature,
        _public_key_bytes(ed_public),
    )
    secret = bytes(range(32))
    tag = hmac.new(secret, MESSAGE, hashlib.sha256).digest()
    found += _pair(
        "HMAC-SHA256",
        "hmac (stdlib)",
        lambda: hmac.new(secret, MESSAGE, hashlib.sha256).digest(),
        lambda: hmac.compare_digest(hmac.new(secret, MESSAGE, hashlib.sha256).digest(), tag),
        tag,
        len(secret),  # a shared secret, not a public key: both sides hold the same 32 bytes
    )
    return found


def ratios(results: list[Result]) -> list[Ratio]:
    """What switching scheme buys, for the signer and for the verifier."""
    look = Lookup(results)
    rsa_sign, rsa_verify = "RSA-2048 PSS sign", "RSA-2048 PSS verify"
    return present(
        look.ratio(
            "rsa_verify_vs_sign", "RSA-2048 verifies {x} faster than it signs (PSS)", rsa_verify, rsa_sign
        ),
        look.ratio(
            "ed25519_vs_rsa_sign", "Ed25519 signs {x} faster than RSA-2048 PSS", "Ed25519 sign", rsa_sign
        ),
        look.ratio(
            "ecdsa_vs_rsa_sign",
            "ECDSA P-256 signs {x} faster than RSA-2048 PSS",
            "ECDSA P-256 sign",
            rsa_sign,
        ),
        look.ratio(
            "rsa_vs_ecdsa_verify",
            "RSA-2048 PSS verifies {x} faster than ECDSA P-256",
            rsa_verify,
            "ECDSA P-256 verify",
        ),
        look.ratio(
            "pss_vs_v15_sign",
            "RSA-2048 PSS signs at {x} the rate of PKCS#1 v1.5",
            rsa_sign,
            "RSA-2048 PKCS#1 v1.5 sign",
        ),
        look.time_ratio(
            "rsa3072_vs_2048_sign",
            "An RSA-3072 PSS signature costs {x} an RSA-2048 one",
            "RSA-3072 PSS sign",
            rsa_sign,
            possible_min=1.0,
        ),
        look.ratio(
            "hmac_vs_rsa_sign",
            "HMAC-SHA256 is {x} faster than RSA-2048 PSS signing",
            "HMAC-SHA256 sign",
            rsa_sign,
        ),
    )


def plot(results: list[Result], out: Path) -> list[Path]:
    """Sign and verify rates of every scheme, ranked, with the signature size in the label."""
    bars = [
        (f"{r.name} ({r.params['signature_bytes']} B)", plotting.rate_points([r], "op")[0]) for r in results
    ]
    figure = plotting.bar_chart(
        bars,
        title="Signing a payment message: operations per second",
        xlabel="operations per second (log scale)",
        categories=[r.params["op"] for r in results],
    )
    return [plotting.save(figure, out / "signatures.png")]
