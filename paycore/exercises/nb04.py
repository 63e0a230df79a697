"""Checkers for notebook 04 (the production path: key ids, the envelope, signatures)."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import serialization

from paycore import secure
from paycore.errors import DecryptionError, EnvelopeFormatError
from paycore.exercises.core import Wrong, exercise, shown
from paycore.exercises.keys import exercise_key
from paycore.exercises.nb02 import canonical_bytes, canonical_diagnosis
from paycore.pkcs1 import pss_sign
from paycore.textbook import RSAPrivateKey, teaching_rng

NAMES = ("gateway", "merchant", "stranger")


def _key_id_diagnosis(got: object, public) -> str:
    """Why ``got`` is not the key id of ``public``, if it is a recognisable near miss."""
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    right = hashlib.sha256(der).hexdigest()
    if isinstance(got, bytes):
        if got == hashlib.sha256(der).digest():
            return "it is the raw 32-byte digest: a key id is written as 64 hex digits (.hexdigest())"
        return f"it is bytes ({len(got)} of them); a key id is a str of 64 lowercase hex digits"
    if not isinstance(got, str):
        return f"it is a {type(got).__name__}; a key id is a str of 64 lowercase hex digits"
    if got == right.upper():
        return "the digits are upper case; key ids are compared as strings, so use lower case"
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    pkcs1 = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    near_misses = {
        "you hashed the PEM text; hash the DER bytes (the binary inside BEGIN PUBLIC KEY)": pem,
        "you hashed the PKCS#1 form (BEGIN RSA PUBLIC KEY); paycore hashes SubjectPublicKeyInfo": pkcs1,
    }
    for advice, data in near_misses.items():
        if got == hashlib.sha256(data).hexdigest():
            return advice
    if got in (hashlib.sha1(der).hexdigest(), hashlib.md5(der).hexdigest()):
        return f"a {len(got) * 4}-bit digest: paycore's key id is SHA-256"
    return "not SHA-256 over the DER SubjectPublicKeyInfo encoding of the public key"


@exercise(
    "04.1",
    "the key id of a public key",
    level=1,
    answer="my_key_id",
    hint="der = public_key.public_bytes(serialization.Encoding.DER, "
    "serialization.PublicFormat.SubjectPublicKeyInfo); then hashlib.sha256(der).hexdigest().",
)
def _key_id(answer: object) -> None:
    if not callable(answer):
        raise Wrong("my_key_id should be a function of a public key")
    for name in NAMES:
        public = exercise_key(name).public_key()
        got = answer(public)
        if got != secure.key_id(public):
            raise Wrong(f"my_key_id(the {name}'s public key) is wrong: {_key_id_diagnosis(got, public)}")


ORDERS = (
    {"out_trade_no": "A20261127001", "total_amount": 24700, "currency": "CNY", "items": [{"sku": "BOOK-1"}]},
    {
        "out_trade_no": "B77",
        "total_amount": 1,
        "currency": "USD",
        "payer": {"card_number": "4111111111111111", "holder": "李雷"},
    },
)


@exercise(
    "04.2",
    "seal an order, bound to its order number",
    level=2,
    answer="seal_order",
    hint="secure.seal(gateway_public, canonical_bytes, "
    "associated_data=order['out_trade_no'].encode('ascii')); the canonical bytes are notebook 02's, "
    "json.dumps(order, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8').",
)
def _seal(answer: object) -> None:
    if not callable(answer):
        raise Wrong("seal_order should be a function of (gateway_public, order)")
    gateway = exercise_key("gateway")
    for order in ORDERS:
        number = order["out_trade_no"].encode("ascii")
        sealed = answer(gateway.public_key(), dict(order))
        if not isinstance(sealed, (secure.Envelope, bytes, str, dict)):
            raise Wrong(
                f"seal_order returned a {type(sealed).__name__}; return what secure.seal gives (or its JSON)"
            )
        try:
            envelope = (
                sealed
                if isinstance(sealed, secure.Envelope)
                else (
                    secure.Envelope.from_dict(sealed)
                    if isinstance(sealed, dict)
                    else secure.Envelope.from_json(sealed)
                )
            )
        except EnvelopeFormatError as exc:
            raise Wrong(
                f"seal_order did not return a paycore envelope ({str(exc)[:80]}): use secure.seal"
            ) from None
        if envelope.kid != secure.key_id(gateway):
            raise Wrong("the envelope names another key id: seal to the gateway's public key you are given")
        try:
            plaintext = secure.open_envelope(gateway, envelope, associated_data=number)
        except DecryptionError:
            try:
                secure.open_envelope(gateway, envelope)
            except DecryptionError:
                raise Wrong(
                    f"the gateway cannot open the envelope for order {order['out_trade_no']} with "
                    f"associated_data={number!r}: bind each order's own number "
                    "(order['out_trade_no']), as bytes"
                ) from None
            raise Wrong(
                "the envelope opens without any associated data, so it is bound to no order: an attacker "
                "could paste it into another order's request. Pass associated_data=<the order number's bytes>"
            ) from None
        if plaintext != canonical_bytes(order):
            raise Wrong(
                "the envelope holds other bytes than the order's canonical JSON (notebook 02, section 6): "
                + canonical_diagnosis(plaintext, order)
            )


class _Case:
    """One question for ``verdict``: the arguments, the right answer, and what the case is about."""

    def __init__(self, what: str, args: tuple, expected: bool) -> None:
        self.what, self.args, self.expected = what, args, expected


def _cases() -> list[_Case]:
    merchant, gateway = exercise_key("merchant"), exercise_key("gateway")
    merchant_public, gateway_public = merchant.public_key(), gateway.public_key()
    message = (
        b"POST\n/v1/payments\n1764209700\nn7Kq2xVb9TmR4cLw\n"
        + hashlib.sha256(b"{}").hexdigest().encode()
        + b"\n"
    )
    pss = secure.sign(merchant, message, "RSA-PSS-SHA256")
    rsa2 = secure.sign(merchant, message, "RSA2")
    numbers = merchant.private_numbers()
    textbook = RSAPrivateKey(numbers.p, numbers.q, numbers.public_numbers.e, numbers.d)
    from_scratch = pss_sign(textbook, message, rng=teaching_rng("exercise 04.3"))
    changed = message.replace(b"1764209700", b"1764209701")
    return [
        _Case("a genuine PSS signature", (merchant_public, message, pss, "RSA-PSS-SHA256"), True),
        _Case(
            "a genuine PKCS#1 v1.5 signature, algorithm 'RSA2'",
            (merchant_public, message, rsa2, "RSA2"),
            True,
        ),
        _Case(
            "a genuine PKCS#1 v1.5 signature, algorithm 'RSA-PKCS1v15-SHA256'",
            (merchant_public, message, rsa2, "RSA-PKCS1v15-SHA256"),
            True,
        ),
        _Case(
            "a PSS signature made by notebook 03's from-scratch pss_sign with the same key",
            (merchant_public, message, from_scratch, "RSA-PSS-SHA256"),
            True,
        ),
        _Case(
            "a PSS signature over a message whose timestamp changed",
            (merchant_public, changed, pss, "RSA-PSS-SHA256"),
            False,
        ),
        _Case(
            "a PSS signature one byte short", (merchant_public, message, pss[:-1], "RSA-PSS-SHA256"), False
        ),
        _Case("an empty signature", (merchant_public, message, b"", "RSA-PSS-SHA256"), False),
        _Case(
            "a signature checked with the wrong party's public key",
            (gateway_public, message, pss, "RSA-PSS-SHA256"),
            False,
        ),
        _Case("a PSS signature checked as RSA2", (merchant_public, message, pss, "RSA2"), False),
        _Case("an RSA2 signature checked as PSS", (merchant_public, message, rsa2, "RSA-PSS-SHA256"), False),
    ]


@exercise(
    "04.3",
    "say which signatures verify",
    level=3,
    answer="verdict",
    hint="Call secure.verify inside try/except and catch only InvalidSignature (from paycore.errors): "
    "verify returns None for a good signature, so return True after it. A wrong algorithm name is a "
    "bug in the caller, not a bad signature: let that ValueError through.",
)
def _verdict(answer: object) -> None:
    if not callable(answer):
        raise Wrong("verdict should be a function of (public_key, message, signature, algorithm)")
    for case in _cases():
        try:
            got = answer(*case.args)
        except NotImplementedError:
            raise
        except Exception as exc:
            raise Wrong(
                f"verdict raised {type(exc).__name__} for {case.what}: a bad signature is an answer (False), "
                "not a crash -- catch paycore.errors.InvalidSignature"
            ) from None
        if got is None and case.expected:
            raise Wrong(
                f"verdict returned None for {case.what}: secure.verify returns None when the signature is "
                "good, so return True after it"
            )
        if not isinstance(got, bool):
            raise Wrong(f"verdict returned {shown(got)} for {case.what}; return True or False")
        if got != case.expected:
            if case.expected:
                raise Wrong(
                    f"verdict said False for {case.what}, which is valid: who computed it does not matter"
                )
            raise Wrong(
                f"verdict said True for {case.what}: message, signature, the signer's public key and the "
                "scheme must all match"
            )
    merchant = exercise_key("merchant")
    signature = secure.sign(merchant, b"m")
    try:
        got = answer(merchant.public_key(), b"m", signature, "RSA-MD5")
    except ValueError:
        return
    except Exception as exc:
        raise Wrong(
            f"for the unknown algorithm 'RSA-MD5' verdict raised {type(exc).__name__}; "
            "let the ValueError through"
        ) from None
    raise Wrong(
        f"verdict returned {shown(got)} for the unknown algorithm 'RSA-MD5': "
        "that is a bug in the caller, not a forged signature. Catch only InvalidSignature, so that the "
        "ValueError reaches the programmer"
    )
