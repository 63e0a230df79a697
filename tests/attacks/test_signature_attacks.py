"""Attacks 12-13: a forgery the sloppy verifier accepts and real verifiers refuse; a fault that factors n."""

import pytest
import rsa as python_rsa
from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.attacks.fault import bdl_fault_attack, glitched_pss_signature, lenstra_fault_attack
from paycore.attacks.forgery import forge_pkcs1v15_signature
from paycore.attacks.targets import FaultyCRTSigner, SloppyPKCS1v15Verifier
from paycore.errors import InvalidSignature
from paycore.pkcs1 import emsa_pkcs1v15_encode, pkcs1v15_sign, pkcs1v15_verify
from paycore.textbook import generate_private_key, os2ip, teaching_rng

NOTICE = b'{"order":"A1","status":"PAID"}'


@pytest.fixture(scope="module")
def gateway_e3():
    """A 2048-bit e = 3 key: the size at which the simple forgery has room for SHA-256."""
    return generate_private_key(2048, e=3, rng=teaching_rng("tests forgery gateway"))


def test_sloppy_verifier_accepts_genuine_and_refuses_wrong_signatures(gateway_e3):
    public = gateway_e3.public_key()
    verifier = SloppyPKCS1v15Verifier(public.n, public.e)
    genuine = pkcs1v15_sign(gateway_e3, NOTICE)
    verifier.verify(NOTICE, genuine)
    with pytest.raises(InvalidSignature):
        verifier.verify(b"another notice", genuine)
    with pytest.raises(InvalidSignature):
        verifier.verify(NOTICE, bytes(256))


def test_forged_signature_fools_the_sloppy_verifier_only(gateway_e3):
    public = gateway_e3.public_key()
    forged = forge_pkcs1v15_signature(public.n, public.e, NOTICE)
    assert forged != pkcs1v15_sign(gateway_e3, NOTICE)  # not the real signature: made without the key
    SloppyPKCS1v15Verifier(public.n, public.e).verify(NOTICE, forged)
    # what it is: a block that *starts* like the real one, then garbage
    block = pow(os2ip(forged), 3)
    expected = emsa_pkcs1v15_encode(NOTICE, 256)
    assert block < public.n
    assert block.to_bytes(256, "big")[:4] == b"\x00\x01\xff\x00"
    assert block.to_bytes(256, "big")[4:55] == expected[-51:]
    # every careful verifier refuses it: paycore.pkcs1, python-rsa, cryptography (via paycore.secure)
    with pytest.raises(InvalidSignature):
        pkcs1v15_verify(public, NOTICE, forged)
    with pytest.raises(python_rsa.VerificationError):
        python_rsa.verify(NOTICE, forged, python_rsa.PublicKey(public.n, public.e))
    same_key = rsa.RSAPublicNumbers(public.e, public.n).public_key()
    with pytest.raises(InvalidSignature):
        secure.verify(same_key, NOTICE, forged, secure.SignatureAlgorithm.PKCS1V15_SHA256)


def test_forgery_against_a_production_key_is_refused(production_2048):
    numbers = production_2048.public_key().public_numbers()
    forged = forge_pkcs1v15_signature(numbers.n, numbers.e, NOTICE)
    for algorithm in secure.SignatureAlgorithm:
        with pytest.raises(InvalidSignature):
            secure.verify(production_2048.public_key(), NOTICE, forged, algorithm)


def test_faulty_signer_signs_correctly_without_a_glitch(textbook_1024):
    signer = FaultyCRTSigner(textbook_1024)
    signature = signer.sign(NOTICE)
    assert signature == pkcs1v15_sign(textbook_1024, NOTICE)
    pkcs1v15_verify(textbook_1024.public_key(), NOTICE, signature)


def test_one_faulty_signature_factors_n(textbook_1024):
    signer = FaultyCRTSigner(textbook_1024)
    faulty = os2ip(signer.sign(NOTICE, glitch=True))
    with pytest.raises(InvalidSignature):
        pkcs1v15_verify(textbook_1024.public_key(), NOTICE, faulty.to_bytes(128, "big"))
    block = os2ip(emsa_pkcs1v15_encode(NOTICE, 128))
    n, e = textbook_1024.n, textbook_1024.e
    assert lenstra_fault_attack(n, e, block, faulty) == textbook_1024.p  # the glitch spared the mod-p half
    assert bdl_fault_attack(n, os2ip(signer.sign(NOTICE)), faulty) == textbook_1024.p
    assert lenstra_fault_attack(n, e, block, os2ip(signer.sign(NOTICE))) is None  # no fault, no factor


def test_pss_leaves_the_fault_attack_nothing(production_2048):
    numbers = production_2048.private_numbers()
    n, e = numbers.public_numbers.n, numbers.public_numbers.e
    faulty, real = glitched_pss_signature(production_2048, NOTICE)
    # the simulated fault is real: the faulty signature still betrays p to whoever knows the PSS block
    assert lenstra_fault_attack(n, e, pow(real, e, n), faulty) == numbers.p
    # but the attacker knows neither that block nor a second signature of it
    another = os2ip(secure.sign(production_2048, NOTICE))
    assert another != real  # PSS: a fresh salt every time
    assert lenstra_fault_attack(n, e, os2ip(emsa_pkcs1v15_encode(NOTICE, 256)), faulty) is None
    assert bdl_fault_attack(n, another, faulty) is None
