"""Where textbook keys get their randomness: the OS, or a seeded RNG for teaching.

HAZARDOUS TEACHING CODE: part of :mod:`paycore.textbook`; never protects real payments.

Real keys must come from the operating system's CSPRNG (``secrets``), which is the default
everywhere in paycore. A notebook, however, must print the same numbers every time it runs,
so the textbook layer also accepts a *seeded* RNG -- made only by :func:`teaching_rng`, whose
name says what it is for. Anyone who knows the seed knows the key.
"""

import random

RandomSource = random.Random
"""Anything with ``getrandbits`` and ``randrange``: ``random.Random`` or ``random.SystemRandom``."""


def teaching_rng(seed: int | str) -> random.Random:
    """A deterministic RNG for classroom keys and reproducible notebooks. **Never for real keys.**

    >>> teaching_rng(2026).getrandbits(16) == teaching_rng(2026).getrandbits(16)
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, str)):
        raise TypeError(f"seed must be an int or a str, got {type(seed).__name__}")
    return random.Random(seed)


def system_rng() -> random.SystemRandom:
    """The operating system's CSPRNG (the same source as ``secrets``)."""
    return random.SystemRandom()


def resolve_rng(rng: RandomSource | None) -> RandomSource:
    """Return ``rng``, or OS randomness when it is ``None`` (the safe default)."""
    if rng is None:
        return system_rng()
    if not (hasattr(rng, "getrandbits") and hasattr(rng, "randrange")):
        raise TypeError(
            f"rng must be a random.Random-like object (teaching_rng(seed) or None), got {type(rng).__name__}"
        )
    return rng
