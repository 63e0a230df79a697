"""``paycore rsa-demo``: a textbook RSA round trip on a payment amount, printed step by step.

Uses the hazardous textbook layer on purpose (it is a lesson, not a payment) and says so.
"""

from __future__ import annotations

import argparse

from paycore.textbook import (
    decrypt_int,
    encrypt_int,
    generate_private_key,
    sign_int,
    teaching_rng,
    verify_int,
)


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("--bits", type=int, default=2048, help="modulus size (default 2048)")
    parser.add_argument("--amount", type=int, default=12345, help="amount in minor units (default 12345)")
    parser.add_argument(
        "--seed", default=None, help="seed a teaching key (reproducible; never for real keys)"
    )


def run(args: argparse.Namespace) -> int:
    """Generate a key, encrypt, decrypt, sign and verify the amount; 0 when the round trip holds."""
    print("TEXTBOOK RSA -- teaching code, never for real payments (see paycore.secure).\n")
    rng = teaching_rng(args.seed) if args.seed is not None else None
    key = generate_private_key(args.bits, rng=rng)
    public = key.public_key()
    print(f"1. key pair   {key!r}")
    print(f"              {public!r}")
    print(f"2. message    M = {args.amount} (an amount in minor units, e.g. fen or cents)")
    ciphertext = encrypt_int(public, args.amount)
    shown = f"{ciphertext:#x}"
    print(f"3. encrypt    C = M^e mod n = {shown[:66]}{'...' if len(shown) > 66 else ''}")
    recovered = decrypt_int(key, ciphertext)
    print(f"4. decrypt    M = C^d mod n = {recovered}  (with the CRT)")
    verify_int(public, args.amount, sign_int(key, args.amount))
    print("5. sign       S = M^d mod n; verify S^e mod n == M: ok")
    if recovered != args.amount:  # pragma: no cover - would mean the math is broken
        print("round trip FAILED")
        return 1
    print("\nround trip ok: decryption undid encryption.")
    return 0
