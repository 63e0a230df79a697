"""Argument guards shared by the textbook modules (internal).

HAZARDOUS TEACHING CODE: part of :mod:`paycore.textbook`; never protects real payments.
"""


def require_int(name: str, value: object) -> int:
    """Return ``value`` if it is an ``int`` (and not a ``bool``), else raise ``TypeError``.

    ``bool`` is a subclass of ``int`` in Python, so ``True`` would silently mean 1: refuse it.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def short(value: int, digits: int = 12) -> str:
    """Render a possibly huge integer for a message or repr: ``0x9c3f...a1 (2048 bits)``."""
    if value < 0:
        return "-" + short(-value, digits)
    text = f"{value:x}"
    if len(text) <= digits:
        return str(value) if value < 10**digits else f"0x{text}"
    half = digits // 2
    return f"0x{text[:half]}...{text[-half:]} ({value.bit_length()} bits)"
