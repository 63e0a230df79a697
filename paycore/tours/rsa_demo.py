"""``paycore rsa-demo``: a textbook RSA round trip on a payment amount, printed step by step.

Uses the hazardous textbook layer on purpose (it is a lesson, not a payment) and says so. The
options are checked before any key is made, with messages in the words of the lesson: an amount
is a whole number of minor units (fen, cents), ``e`` must be odd and smaller than ``n``, and a
key under 2048 bits gets a warning saying how long such keys have been breakable.
"""

from __future__ import annotations

import argparse
from math import gcd

from paycore.textbook import (
    decrypt_int,
    encrypt_int,
    generate_private_key,
    sign_int,
    teaching_rng,
    verify_int,
)
from paycore.textbook.keys import MIN_TEACHING_BITS
from paycore.tours.screen import terminal_width, wrap

PRODUCTION_BITS = 2048
USUAL_E = 65537
BROKEN_SIZES = (
    (512, "512-bit keys were factored in 1999 (RSA-155, the key size of the seed article's sample code)"),
    (768, "a 768-bit key was factored in 2009 (RSA-768)"),
    (829, "an 829-bit key was factored in 2020 (RSA-250)"),
)


def minor_units(text: str) -> int:
    """An ``--amount``: a positive whole number of minor units (``12.34`` gets a word about fen)."""
    try:
        value = int(text)
    except ValueError:
        hint = ""
        try:
            major = float(text)
        except ValueError:
            pass
        else:
            hint = f": amounts are whole numbers of minor units, so {text} yuan is {round(major * 100)} fen"
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of minor units{hint}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(
            f"the amount must be positive (a whole number of minor units, such as 12345 fen), got {value}"
        )
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument(
        "--bits", type=int, default=PRODUCTION_BITS, help=f"modulus size (default {PRODUCTION_BITS})"
    )
    parser.add_argument(
        "--amount",
        type=minor_units,
        default=12345,
        help="the amount, in minor units: 12345 fen is CNY 123.45 (default 12345)",
    )
    parser.add_argument(
        "--e",
        type=int,
        default=USUAL_E,
        dest="e",
        metavar="E",
        help=f"the public exponent: odd, at least 3 and smaller than n (default {USUAL_E}; "
        "a tiny key needs a small one, such as 3 or 17)",
    )
    parser.add_argument(
        "--seed", default=None, help="seed a teaching key (reproducible; never for real keys)"
    )


def check_exponent(e: int, bits: int) -> None:
    """Refuse an ``e`` no key of ``bits`` bits can have, saying which to choose instead.

    A size too small for any key is left to the textbook layer, which says so itself.
    """
    if bits < MIN_TEACHING_BITS:
        return
    if e < 3 or e % 2 == 0:
        raise ValueError(f"--e must be odd and at least 3, got {e} ({USUAL_E} is the usual choice)")
    if e.bit_length() >= bits:
        raise ValueError(
            f"--e {e} must be smaller than n, which has only {bits} bits: "
            "for a tiny key pass a small exponent, such as --e 3 or --e 17"
        )


def size_warning(bits: int) -> str | None:
    """What a reader should know about a modulus of ``bits`` bits, or ``None`` from 2048 bits on."""
    if bits >= PRODUCTION_BITS:
        return None
    words = f"WARNING: a {bits}-bit key is for this lesson only. "
    if bits < BROKEN_SIZES[0][0]:
        words += "A key this small falls to trial division or Pollard's rho (paycore attacks --only 7a); "
        words += "even "
    broken = next((fact for size, fact in BROKEN_SIZES if bits <= size), None)
    if broken:
        words += (broken if bits < BROKEN_SIZES[0][0] else broken[0].upper() + broken[1:]) + ". "
    return words + (
        "Keys under 2048 bits have been disallowed for signatures and encryption since 2013 "
        "(NIST SP 800-131A); 2048 bits gives about 112-bit security (NIST SP 800-57)."
    )


def run(args: argparse.Namespace) -> int:
    """Generate a key, encrypt, decrypt, sign and verify the amount; 0 when the round trip holds."""
    check_exponent(args.e, args.bits)
    print("TEXTBOOK RSA -- teaching code, never for real payments (see paycore.secure).\n")
    warning = size_warning(args.bits)
    if warning:
        print("\n".join(wrap(warning, terminal_width())) + "\n")
    rng = teaching_rng(args.seed) if args.seed is not None else None
    key = generate_private_key(args.bits, e=args.e, rng=rng)
    public = key.public_key()
    if args.amount >= public.n:
        raise ValueError(
            f"--amount {args.amount} does not fit a {args.bits}-bit key: textbook RSA computes modulo n, "
            "so the amount must be smaller than n (a larger one would come back reduced, and wrong); "
            "choose a smaller amount or more --bits"
        )
    totient = (key.p - 1) * (key.q - 1)
    print(f"1. key pair   {key!r}")
    print(f"              {public!r}")
    print(
        f"              e = {key.e}: gcd(e, (p-1)(q-1)) = {gcd(key.e, totient)}, so d = e^-1 mod (p-1)(q-1)"
    )
    if key.e < USUAL_E:
        print("              (a small e is legal, but unpadded it falls to the cube-root attack:")
        print("               paycore attacks --only cube-root)")
    print(f"2. message    M = {args.amount} (an amount in minor units: fen, cents)")
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
