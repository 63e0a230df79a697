"""Number theory for RSA: the extended Euclidean algorithm, inverses and totients.

HAZARDOUS TEACHING CODE: part of :mod:`paycore.textbook`; never protects real payments.

RSA needs one fact from here: if ``e * d = 1 (mod lambda(n))`` then ``(M^e)^d = M (mod n)``.
The private exponent ``d`` is the inverse of ``e`` modulo a totient of ``n``, and the
extended Euclidean algorithm is how we find inverses.
"""

from math import gcd, lcm

from paycore.textbook._checks import require_int


def egcd(a: int, b: int) -> tuple[int, int, int]:
    """Return ``(g, x, y)`` with ``g = gcd(a, b)`` and ``a*x + b*y = g`` (Bezout's identity).

    Iterative, so it handles 4096-bit numbers without recursion limits.

    >>> egcd(240, 46)
    (2, -9, 47)
    >>> 240 * -9 + 46 * 47
    2
    """
    require_int("a", a)
    require_int("b", b)
    old_r, r = a, b
    old_x, x = 1, 0
    old_y, y = 0, 1
    while r:
        q = old_r // r
        old_r, r = r, old_r - q * r
        old_x, x = x, old_x - q * x
        old_y, y = y, old_y - q * y
    if old_r < 0:  # keep the gcd non-negative for negative inputs
        old_r, old_x, old_y = -old_r, -old_x, -old_y
    return old_r, old_x, old_y


def modinv(a: int, m: int) -> int:
    """Return the inverse of ``a`` modulo ``m``: the ``x`` in ``[0, m)`` with ``a*x = 1 (mod m)``.

    Raises ``ValueError`` when ``gcd(a, m) != 1``, because then no inverse exists -- the
    reason RSA's ``e`` must be coprime to the totient.

    >>> modinv(17, 780)
    413
    >>> (17 * 413) % 780
    1
    """
    require_int("a", a)
    require_int("m", m)
    if m < 2:
        raise ValueError(f"modulus must be at least 2, got {m}")
    g, x, _ = egcd(a % m, m)
    if g != 1:
        raise ValueError(f"{a} has no inverse modulo {m}: they share the factor {g}")
    return x % m


def _require_distinct_primes(primes: tuple[int, ...]) -> None:
    if not primes:
        raise ValueError("give at least one prime factor")
    for p in primes:
        require_int("prime factor", p)
        if p < 2:
            raise ValueError(f"prime factors must be at least 2, got {p}")
    if len(set(primes)) != len(primes):
        raise ValueError("prime factors must be distinct (n must be square-free, as in RSA)")


def euler_totient(*primes: int) -> int:
    """Euler's phi of a square-free ``n = p1 * p2 * ...``: the product of ``(p_i - 1)``.

    ``phi(n)`` counts the integers in ``[1, n]`` coprime to ``n``; Euler's theorem says
    ``M^phi(n) = 1 (mod n)`` for those, which is why a ``d`` inverse mod ``phi`` decrypts.
    The caller vouches that the factors are prime (checking would cost a primality test).

    >>> euler_totient(61, 53)
    3120
    """
    _require_distinct_primes(primes)
    result = 1
    for p in primes:
        result *= p - 1
    return result


def carmichael_lambda(*primes: int) -> int:
    """Carmichael's lambda of a square-free ``n = p1 * p2 * ...``: ``lcm(p_i - 1)``.

    ``lambda(n)`` is the smallest exponent with ``M^lambda(n) = 1 (mod n)`` for every ``M``
    coprime to ``n``. It divides ``phi(n)``, so the ``d`` it gives is smaller (RFC 8017 and
    FIPS 186 use it) yet decrypts just as well.

    >>> carmichael_lambda(61, 53)
    780
    """
    _require_distinct_primes(primes)
    return lcm(*(p - 1 for p in primes))


def are_coprime(a: int, b: int) -> bool:
    """True when ``gcd(a, b) == 1``.

    >>> are_coprime(17, 3120), are_coprime(3, 3120)
    (True, False)
    """
    return gcd(require_int("a", a), require_int("b", b)) == 1
