"""The keys the lab attacks: seeded teaching keys, and real keys for the production path.

Teaching keys come from :func:`paycore.textbook.teaching_rng`, so every run of the lab (and of
notebook 06) attacks the same numbers and reports the same work. Production keys are what
:func:`paycore.secure.generate_private_key` makes: 2048 bits, ``e = 65537``, from the OS
CSPRNG. Both are cached for the life of the process: generating keys is setup, not attack.
"""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.textbook import RSAPrivateKey, generate_private_key, teaching_rng

_production_pool: list[rsa.RSAPrivateKey] = []


@cache
def teaching_key(bits: int, e: int = 65537, label: str = "attack lab") -> RSAPrivateKey:
    """A reproducible textbook key (HAZARDOUS: anyone who knows ``label`` can rebuild it)."""
    return generate_private_key(bits, e=e, rng=teaching_rng(f"{label} / {bits} bits / e={e}"))


def production_keys(count: int) -> list[rsa.RSAPrivateKey]:
    """``count`` distinct production keys (RSA-2048, e = 65537, OS randomness), made once each."""
    while len(_production_pool) < count:
        _production_pool.append(secure.generate_private_key())
    return _production_pool[:count]


def production_key() -> rsa.RSAPrivateKey:
    """The first production key: the one most attacks' production side runs against."""
    return production_keys(1)[0]


def public_numbers(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> tuple[int, int]:
    """``(n, e)`` of a ``cryptography`` key: all a real attacker ever gets."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    numbers = public.public_numbers()
    return numbers.n, numbers.e
