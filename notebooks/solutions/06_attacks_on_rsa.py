"""Reference solutions for notebook 06's exercises."""

from math import isqrt

from paycore.attacks.intmath import convergents
from paycore.textbook import egcd


def icbrt(x):
    lo, hi = 0, 1 << (x.bit_length() // 3 + 1)  # lo**3 <= x < hi**3
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if mid**3 <= x:
            lo = mid
        else:
            hi = mid
    return lo


def recover_message(n, e1, c1, e2, c2):
    g, a, b = egcd(e1, e2)
    assert g == 1, "the attack needs gcd(e1, e2) = 1"
    return pow(c1, a, n) * pow(c2, b, n) % n


def fermat_factor(n):
    a = isqrt(n)
    if a * a < n:
        a += 1  # a = ceil(sqrt(n))
    while True:
        b = isqrt(a * a - n)
        if b * b == a * a - n:
            return a - b, a + b
        a += 1


def find_small_d(n, e):
    for k, d in convergents(e, n):
        if k == 0 or (e * d - 1) % k:
            continue
        phi = (e * d - 1) // k
        s = n - phi + 1  # p + q, if the guess is right
        discriminant = s * s - 4 * n
        if discriminant >= 0 and isqrt(discriminant) ** 2 == discriminant:
            return d
    return None
