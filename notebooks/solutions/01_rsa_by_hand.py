"""Reference solutions for notebook 01's exercises (kept apart so students meet them only by choice)."""

from paycore.textbook import RSAPrivateKey, decrypt_int, egcd

phi_143 = (11 - 1) * (13 - 1)


def my_modinv(a, m):
    g, x, _ = egcd(a, m)
    if g != 1:
        raise ValueError(f"{a} has no inverse modulo {m}")
    return x % m


recovered = decrypt_int(RSAPrivateKey.from_primes(101, 113, 17), 4567)
