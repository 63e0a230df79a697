"""Fixed RSA-2048 keys for the exercises of notebooks 04 and 05: a gateway, a merchant and a stranger.

Checks must print the same words on every run (the notebooks store them), and a student's answer
must meet the same keys each time, so the exercises never use fresh keys from the OS. Generating
2048-bit keys from a seed in pure Python takes a second or more, so the primes are written out here
instead; they came from ``paycore.textbook.generate_private_key(2048, rng=teaching_rng(
"paycore exercises / <name>"))``. Everybody can read them: these keys protect nothing.
"""

from __future__ import annotations

from functools import cache
from math import lcm

from cryptography.hazmat.primitives.asymmetric import rsa

E = 65537

_PRIMES = {
    "gateway": (
        int(
            "d204a699cacaa999e5e934fd88fefcde7ce8cff3cf0895d5c0d0c6d0245b093ca38bafb6e63b26bf58976f"
            "b5c92239fcb1e22ded9ebf19a886e0019147bf9d04f04c62475dc02f94372ece047df265aa0bb2e3a368be"
            "42de75f5d6bb8f94ce32feecfa99c3c428ffea1a72122ba47835d93446c100679e80ec81693cee9292f5",
            16,
        ),
        int(
            "d0ef4c826764912655fdf6d27890b94e015f31362ee74ad15ea31b5babf1ef31726b067fcc8560a70cd600"
            "d7b09824a5e27303c6d02791fc57f4c703955a4fab43561d03a65f1a6901465bbb8695a7099b8c0aa3cb7a"
            "e981f525eb19ae91188c75da7a61ffd0b1c6ef65ef024b742589b4686c6252a3d10b216c1d7bd1ca869b",
            16,
        ),
    ),
    "merchant": (
        int(
            "f190eb1d9a615d197199ddcf73ac01e2525e6c115c2c38ef11fd458add57b98879910ab5e59592090bc68f"
            "e3e36b906786de110107dd82362c65c24221e65cf9dc67affc97fa6d3a73ca3169e3ef9e387bfbd012a956"
            "76172cee87901637bb35459b560a15521bb5ab264ef4ea757061c21add6369876d4bb04b88c80e3004c1",
            16,
        ),
        int(
            "c12f56f923bab6e12aec0a87dcd26dd2d3e3560855b7edfd5ec92fb97d06177c0033e5a965356203421378"
            "4626b6f0ba2d652291358c99cbaec887910b24964f7e49d15ef7322c620bf77262c220b0e79a562da66084"
            "0992b8a2ebfd3aa7943fcda09a412f2cba1bc2e987fa7db60a652396a94e6a9baf850ded3ea34e6cdc43",
            16,
        ),
    ),
    "stranger": (
        int(
            "d72cfdaa9f21ce95530124f25f8285638253e94dfcb66080069c88cb0fe1a6bbbac5d285ff637f17b000e6"
            "1c274a0748b68f7a03eb542800e65235b44f56fc4a16b5422ed73819c37e5253342064cb16621d4c36905d"
            "5ed7ac82074d68991a77568c4ff25b5f981c38a5350f8d519cdf85490aeacefd66e0531878327ae776ef",
            16,
        ),
        int(
            "e8a3d9419e9ec32f240324f342de3a78f6d813210377ea37a65c4399ab5a994f5f427e17b685c1d21c4f94"
            "a9b106f38e472a737a7661ff008eeaba0dafcc0a6eed08142f71c085f020eb57487d0a215795c9aa363e05"
            "0ae094438f6bc704c25239d705c8a29409507d4ae82458aa471734be9392c2c2328da65129cacd4dd88f",
            16,
        ),
    ),
}


@cache
def exercise_key(name: str) -> rsa.RSAPrivateKey:
    """The fixed private key called ``name`` ("gateway", "merchant" or "stranger"), as a cryptography key."""
    p, q = _PRIMES[name]
    d = pow(E, -1, lcm(p - 1, q - 1))
    public = rsa.RSAPublicNumbers(E, p * q)
    return rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
    ).private_key()
