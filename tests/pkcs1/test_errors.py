"""Every error path: one uniform error for bad ciphertexts and signatures, clear ones for bad arguments.

The malformed blocks below are built by hand from RFC 8017's layouts; each family starts with a
well-formed block made the same way, which must succeed -- so every rejection is for the reason
the test names, not because the hand-built block was broken in some other way.
"""

import pytest

from paycore.errors import DecryptionError, InvalidSignature
from paycore.pkcs1 import (
    eme_pkcs1v15_decode,
    eme_pkcs1v15_encode,
    emsa_pkcs1v15_encode,
    emsa_pss_encode,
    emsa_pss_encode_steps,
    emsa_pss_verify,
    i2osp,
    lookup_hash,
    mgf1,
    oaep_decode,
    oaep_decrypt,
    oaep_encode,
    oaep_encrypt,
    oaep_max_message_length,
    os2ip,
    pkcs1v15_decrypt,
    pkcs1v15_encrypt,
    pkcs1v15_sign,
    pkcs1v15_verify,
    pss_sign,
    pss_verify,
)
from paycore.pkcs1._blocks import xor
from paycore.textbook import RSAPrivateKey, encrypt_int, generate_private_key, sign_int, teaching_rng
from tests.pkcs1.helpers import pinned_pair, teaching_keys

M = b"amount_fen=12345"


@pytest.fixture(scope="module")
def key():
    return pinned_pair(2048)[0]


def raw_encrypt(key, em: bytes) -> bytes:
    assert os2ip(em) < key.n
    return i2osp(encrypt_int(key.public_key(), os2ip(em)), key.byte_length)


def raw_sign(key, em: bytes) -> bytes:
    assert os2ip(em) < key.n
    return i2osp(sign_int(key, os2ip(em)), key.byte_length)


def one_error(exception_type, calls) -> str:
    """Run every call; each must raise exactly ``exception_type``, with one message, nothing chained."""
    messages = set()
    for name, call in calls.items():
        with pytest.raises(exception_type) as caught:
            call()
        assert type(caught.value) is exception_type, name
        assert caught.value.__context__ is None and caught.value.__cause__ is None, name
        messages.add(str(caught.value))
    assert len(messages) == 1, messages
    return messages.pop()


# --- OAEP ----------------------------------------------------------------------------------------


def forge_oaep(key, db: bytes, y: int = 0) -> bytes:
    """EM = Y || maskedSeed || maskedDB around any DB (SHA-256), then raw RSA."""
    k, h_len = key.byte_length, 32
    seed = bytes(range(h_len))
    masked_db = xor(db, mgf1(seed, k - h_len - 1, hash="sha256"))
    masked_seed = xor(seed, mgf1(masked_db, h_len, hash="sha256"))
    return raw_encrypt(key, bytes([y]) + masked_seed + masked_db)


def test_every_oaep_failure_is_the_same_error(key):
    k, l_hash = key.byte_length, lookup_hash("sha256").digest(b"")
    zeros = bytes(k - 2 * 32 - 2 - len(M))
    assert oaep_decrypt(key, forge_oaep(key, l_hash + zeros + b"\x01" + M)) == M  # the forge is right
    good = oaep_encrypt(key.public_key(), M, label=b"L")
    message = one_error(
        DecryptionError,
        {
            "Y is not zero": lambda: oaep_decrypt(key, forge_oaep(key, l_hash + zeros + b"\x01" + M, y=1)),
            "lHash differs": lambda: oaep_decrypt(key, forge_oaep(key, bytes(32) + zeros + b"\x01" + M)),
            "no 0x01": lambda: oaep_decrypt(key, forge_oaep(key, l_hash + zeros + b"\x00" + bytes(len(M)))),
            "0x02 for 0x01": lambda: oaep_decrypt(key, forge_oaep(key, l_hash + zeros + b"\x02" + M)),
            "junk before 0x01": lambda: oaep_decrypt(
                key, forge_oaep(key, l_hash + b"\x07" + zeros[1:] + b"\x01" + M)
            ),
            "wrong label": lambda: oaep_decrypt(key, good, label=b"M"),
            "no label": lambda: oaep_decrypt(key, good),
            "wrong hash": lambda: oaep_decrypt(key, good, hash="sha1", label=b"L"),
            "wrong mgf hash": lambda: oaep_decrypt(key, good, mgf_hash="sha1", label=b"L"),
            "wrong key": lambda: oaep_decrypt(pinned_pair(1024)[0], good[:128], label=b"L"),
            "one byte short": lambda: oaep_decrypt(key, good[:-1], label=b"L"),
            "one byte long": lambda: oaep_decrypt(key, good + b"\x00", label=b"L"),
            "empty": lambda: oaep_decrypt(key, b""),
            "c = n": lambda: oaep_decrypt(key, i2osp(key.n, k)),
            "c > n": lambda: oaep_decrypt(key, b"\xff" * k),
            "decode: short em": lambda: oaep_decode(b"\x00" * (k - 1), k),
        },
    )
    assert "padding" not in message and "0x" not in message


def test_oaep_bad_arguments_are_clear_and_come_first(key):
    public = key.public_key()
    small = pinned_pair(1024)[0]
    with pytest.raises(ValueError, match="message too long: .* at most 190 bytes, got 191"):
        oaep_encrypt(public, bytes(191))
    assert oaep_max_message_length(256) == 190 and oaep_max_message_length(256, hash="sha1") == 214
    with pytest.raises(ValueError, match="key too small for OAEP with sha512"):
        oaep_max_message_length(128, hash="sha512")
    with pytest.raises(
        ValueError, match=r"key too small for OAEP with sha512: needs k >= 2\*hLen \+ 2 = 130"
    ):
        oaep_encrypt(small.public_key(), b"", hash="sha512")
    with pytest.raises(ValueError, match="key too small"):
        oaep_decrypt(small, b"not even a ciphertext", hash="sha512")  # options first, then the ciphertext
    with pytest.raises(ValueError, match="unknown hash 'sha265'"):
        oaep_decrypt(key, b"", hash="sha265")
    with pytest.raises(ValueError, match="unknown hash"):
        oaep_encrypt(public, M, mgf_hash="md5")
    with pytest.raises(TypeError, match=r"message must be bytes, got str \(encode text first"):
        oaep_encrypt(public, "12345")
    with pytest.raises(TypeError, match=r"message must be bytes, got int \(turn an integer into bytes"):
        oaep_encrypt(public, 12345)
    with pytest.raises(TypeError, match="label must be bytes"):
        oaep_encrypt(public, M, label="order 42")
    with pytest.raises(TypeError, match="ciphertext must be bytes"):
        oaep_decrypt(key, "3f9a...")
    with pytest.raises(
        TypeError, match=r"oaep_encrypt needs an RSAPublicKey, got RSAPrivateKey \(call private_key"
    ):
        oaep_encrypt(key, M)
    with pytest.raises(
        TypeError, match=r"oaep_decrypt needs an RSAPrivateKey, got RSAPublicKey \(only the private"
    ):
        oaep_decrypt(public, b"")
    with pytest.raises(TypeError, match=r"rebuild one with RSAPrivateKey.from_primes"):
        oaep_decrypt(pinned_pair(2048)[1], b"")
    with pytest.raises(TypeError, match="rng must be a random.Random-like object"):
        oaep_encrypt(public, M, rng=42)
    with pytest.raises(ValueError, match="seed must be hLen = 32 bytes"):
        oaep_encode(M, 256, seed=bytes(20))
    with pytest.raises(TypeError, match="hash must be a name"):
        oaep_encrypt(public, M, hash=None)
    assert oaep_decrypt(key, oaep_encrypt(public, M, label=None), label=b"") == M  # None means empty


# --- PKCS#1 v1.5 encryption ----------------------------------------------------------------------


def test_every_pkcs1v15_decryption_failure_is_the_same_error(key):
    k = key.byte_length
    ps = b"\x55" * (k - len(M) - 3)
    assert pkcs1v15_decrypt(key, raw_encrypt(key, b"\x00\x02" + ps + b"\x00" + M)) == M  # the forge is right
    one_error(
        DecryptionError,
        {
            "first byte 01": lambda: pkcs1v15_decrypt(key, raw_encrypt(key, b"\x01\x02" + ps + b"\x00" + M)),
            "block type 01": lambda: pkcs1v15_decrypt(key, raw_encrypt(key, b"\x00\x01" + ps + b"\x00" + M)),
            "no zero byte": lambda: pkcs1v15_decrypt(key, raw_encrypt(key, b"\x00\x02" + b"\x55" * (k - 2))),
            "7 bytes of PS": lambda: pkcs1v15_decrypt(
                key, raw_encrypt(key, b"\x00\x02" + ps[:7] + b"\x00" * (k - 9))
            ),
            "short": lambda: pkcs1v15_decrypt(key, b"\x01" * (k - 1)),
            "c > n": lambda: pkcs1v15_decrypt(key, b"\xff" * k),
            "decode: short em": lambda: eme_pkcs1v15_decode(b"\x00\x02", k),
        },
    )
    # exactly 8 bytes of padding is the minimum that decodes
    assert pkcs1v15_decrypt(key, raw_encrypt(key, b"\x00\x02" + ps[:8] + b"\x00" + bytes(k - 11))) == bytes(
        k - 11
    )


def test_pkcs1v15_encryption_bad_arguments(key):
    with pytest.raises(ValueError, match="message too long: .* at most 245 bytes, got 246"):
        pkcs1v15_encrypt(key.public_key(), bytes(246))
    tiny = RSAPrivateKey.from_primes(61, 53, 17)
    with pytest.raises(ValueError, match="key too small for PKCS#1 v1.5: needs k >= 11"):
        pkcs1v15_encrypt(tiny.public_key(), b"")
    with pytest.raises(ValueError, match="key too small"):
        pkcs1v15_decrypt(tiny, b"\x00\x01")
    with pytest.raises(ValueError, match="ps must not contain 0x00"):
        eme_pkcs1v15_encode(M, 64, ps=b"\x01" * 44 + b"\x00")
    with pytest.raises(ValueError, match="ps must be k - len"):
        eme_pkcs1v15_encode(M, 64, ps=b"\x01" * 8)
    with pytest.raises(TypeError, match="encode text first"):
        pkcs1v15_encrypt(key.public_key(), "12345")
    with pytest.raises(TypeError, match="needs an RSAPrivateKey"):
        pkcs1v15_decrypt(key.public_key(), b"")


def test_pkcs1v15_padding_bytes_are_never_zero():
    """A seeded RNG that produces zero bytes: they must be redrawn, not passed into PS."""
    key = teaching_keys()[0]
    rng = teaching_rng("zeros")
    for _ in range(20):
        block = i2osp(
            pow(os2ip(pkcs1v15_encrypt(key.public_key(), b"", rng=rng)), key.d, key.n), key.byte_length
        )
        assert block[:2] == b"\x00\x02" and 0 not in block[2:-1] and block[-1] == 0


# --- PSS -----------------------------------------------------------------------------------------


def test_every_pss_failure_is_the_same_error(key):
    public, k = key.public_key(), key.byte_length
    salt = bytes(range(32))
    steps = emsa_pss_encode_steps(M, 2047, salt=salt)
    assert pss_verify(public, M, raw_sign(key, steps.em)) is None  # the forge is right
    nonzero_ps = _clear_top(xor(b"\x01" + steps.db[1:], steps.db_mask)) + steps.h + b"\xbc"
    signature = raw_sign(key, steps.em)
    odd = teaching_keys()[1]  # 1025 bits: emBits = 1024, so EM is k - 1 = 128 bytes
    one_error(
        InvalidSignature,
        {
            "trailer not 0xbc": lambda: pss_verify(public, M, raw_sign(key, steps.em[:-1] + b"\xbd")),
            "PS not zero": lambda: pss_verify(public, M, raw_sign(key, nonzero_ps)),
            "H changed": lambda: pss_verify(public, M, raw_sign(key, steps.masked_db + bytes(32) + b"\xbc")),
            "other message": lambda: pss_verify(public, M + b"0", signature),
            "other salt length": lambda: pss_verify(public, M, signature, salt_length=31),
            "other hash": lambda: pss_verify(public, M, pss_sign(key, M, hash="sha384"), salt_length=32),
            "other key": lambda: pss_verify(pinned_pair(1024)[0].public_key(), M, signature[:128]),
            "short": lambda: pss_verify(public, M, signature[1:]),
            "s = n": lambda: pss_verify(public, M, i2osp(key.n, k)),
            "image too long": lambda: pss_verify(odd.public_key(), M, i2osp(sign_int(odd, odd.n - 1), 129)),
            "emsa: short em": lambda: emsa_pss_verify(M, steps.em[1:], 2047),
        },
    )


def _clear_top(block: bytes) -> bytes:
    return bytes([block[0] & 0x7F]) + block[1:]


def test_pss_rejects_set_bits_above_em_bits():
    """1031-bit key: emBits = 1030 in a 129-byte EM, so its top two bits must be zero."""
    key = next(key for key in teaching_keys() if key.bits == 1031)
    em = emsa_pss_encode(M, 1030, salt=b"s" * 32)
    assert em[0] >> 6 == 0
    tampered = bytes([em[0] | 0x40]) + em[1:]
    assert os2ip(tampered) < key.n
    with pytest.raises(InvalidSignature):
        pss_verify(key.public_key(), M, raw_sign(key, tampered), salt_length=32)
    assert pss_verify(key.public_key(), M, raw_sign(key, em), salt_length=32) is None


def test_pss_bad_arguments(key):
    small = generate_private_key(512, rng=teaching_rng("small"))
    with pytest.raises(ValueError, match="key too small for PSS with sha256 and a 32-byte salt"):
        pss_sign(small, M)
    assert len(pss_sign(small, M, salt_length=30)) == 64
    with pytest.raises(ValueError, match="key too small for PSS"):
        pss_verify(key.public_key(), M, b"", salt_length=256 - 32 - 1)
    with pytest.raises(ValueError, match="salt_length must be non-negative"):
        pss_sign(key, M, salt_length=-1)
    with pytest.raises(TypeError, match="salt_length must be an int, got bool"):
        pss_verify(key.public_key(), M, b"", salt_length=True)
    with pytest.raises(TypeError, match="signature must be bytes, got str"):
        pss_verify(key.public_key(), M, "c2ln")
    with pytest.raises(TypeError, match="needs an RSAPrivateKey"):
        pss_sign(key.public_key(), M)
    with pytest.raises(TypeError, match="salt must be bytes"):
        emsa_pss_encode(M, 2047, salt=None)
    with pytest.raises(ValueError, match="em_bits must be non-negative"):
        emsa_pss_encode(M, -8, salt=b"")


# --- PKCS#1 v1.5 signatures ----------------------------------------------------------------------


def test_every_pkcs1v15_verification_failure_is_the_same_error(key):
    public, k = key.public_key(), key.byte_length
    signature = pkcs1v15_sign(key, M)
    t = lookup_hash("sha256").digest_info_prefix + lookup_hash("sha256").digest(M)
    garbage_after_digest = b"\x00\x01" + b"\xff" * (k - len(t) - 3 - 4) + b"\x00" + t + b"ABCD"
    one_error(
        InvalidSignature,
        {
            "other message": lambda: pkcs1v15_verify(public, M + b"0", signature),
            "other hash": lambda: pkcs1v15_verify(public, M, signature, hash="sha1"),
            "bytes after the digest": lambda: pkcs1v15_verify(public, M, raw_sign(key, garbage_after_digest)),
            "raw digest, no DigestInfo": lambda: pkcs1v15_verify(
                public,
                M,
                raw_sign(key, emsa_pkcs1v15_encode(M, k)[: k - len(t)] + t[-32:].rjust(len(t), b"\xff")),
            ),
            "short": lambda: pkcs1v15_verify(public, M, signature[:-1]),
            "s > n": lambda: pkcs1v15_verify(public, M, b"\xff" * k),
        },
    )


def test_pkcs1v15_signature_bad_arguments(key):
    small = generate_private_key(512, rng=teaching_rng("small"))
    with pytest.raises(ValueError, match="key too small for PKCS#1 v1.5 signatures with sha512"):
        pkcs1v15_sign(small, M, hash="sha512")
    with pytest.raises(ValueError, match="no DigestInfo for blake2b"):
        pkcs1v15_sign(key, M, hash="blake2b")
    with pytest.raises(TypeError, match="encode text first"):
        pkcs1v15_verify(key.public_key(), "order", b"")
    with pytest.raises(TypeError, match="needs an RSAPublicKey"):
        pkcs1v15_verify(key, M, b"")
