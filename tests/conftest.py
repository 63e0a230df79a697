"""Fixtures shared by the whole test suite: pinned keys, so tests are fast and deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from paycore.textbook import RSAPrivateKey, generate_private_key, teaching_rng

FIXTURES = Path(__file__).parent / "fixtures"
KEY_SIZES = (1024, 2048, 3072)


def load_pinned_key(bits: int, variant: str = "") -> rsa.RSAPrivateKey:
    """One of the committed test keys (see tests/fixtures/keys/README.md), as a `cryptography` key."""
    suffix = f"-{variant}" if variant else ""
    pem = (FIXTURES / "keys" / f"rsa-{bits}{suffix}.pem").read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@pytest.fixture(scope="session")
def classic_key() -> RSAPrivateKey:
    """The textbook example everyone meets first: p = 61, q = 53, e = 17."""
    return RSAPrivateKey.from_primes(61, 53, 17)


@pytest.fixture(scope="session", params=KEY_SIZES, ids=lambda bits: f"rsa{bits}")
def pinned_key(request) -> rsa.RSAPrivateKey:
    """A pinned `cryptography` key of each size."""
    return load_pinned_key(request.param)


@pytest.fixture(scope="session")
def teaching_key_1024() -> RSAPrivateKey:
    """A textbook key made by paycore itself from a fixed seed."""
    return generate_private_key(1024, rng=teaching_rng("tests"))
