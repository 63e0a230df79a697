"""docs/PROTOCOL.md is true: its worked example is real bytes, its tables match the code.

The example under docs/protocol-example/ was made once by the real merchant and gateway with the
published example keys. Here it is checked from the outside: the canonical strings are rebuilt
from the protocol's rules (and by ``paycore.payment.protocol.signing``), the signatures are verified
with the committed public keys by paycore, by PyCryptodome and by the ``openssl`` command line,
the envelope is opened by hand with ``cryptography`` as the doc describes, and the doc's copies of
every example file must equal the files byte for byte. Change one byte anywhere and a test fails.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import rsa as python_rsa
from Crypto.Hash import SHA256 as PyCryptodomeSHA256
from Crypto.PublicKey import RSA as PyCryptodomeRSA
from Crypto.Signature import pss as pycryptodome_pss
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from paycore import errors as crypto_errors
from paycore import secure
from paycore.payment.errors import ErrorCode
from paycore.payment.protocol import PAYMENTS_PATH, signing
from paycore.payment.protocol.signing import MessageSigner
from tests.payment.helpers import error_code, payment_body, send, signed_request

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "PROTOCOL.md"
EXAMPLE = ROOT / "docs" / "protocol-example"
SHOWN_IN_FULL = {
    "request-body.json",
    "request-headers.txt",
    "request-canonical.txt",
    "request-signature-rsa2.txt",
    "payer-plaintext.json",
    "response-status.txt",
    "response-headers.txt",
    "response-body.json",
    "response-canonical.txt",
    "notification-headers.txt",
    "notification-body.json",
    "notification-canonical.txt",
    "notification-ack.json",
}


# -- reading the example ---------------------------------------------------------------------------
def read(name: str) -> bytes:
    return (EXAMPLE / name).read_bytes()


def header_file(name: str) -> dict[str, str]:
    """``Name: value`` lines; names lowercased (HTTP header names are case-insensitive)."""
    lines = read(name).decode("ascii").splitlines()
    return {line.split(": ", 1)[0].lower(): line.split(": ", 1)[1] for line in lines}


def public_key(party: str):
    return secure.load_public_key_pem(read(f"{party}-public.EXAMPLE.pem"))


def private_key(party: str):
    return secure.load_private_key_pem(read(f"{party}-private.EXAMPLE.pem"))


def pem_block(name: str) -> bytes:
    """The PEM without the label line above it (PyCryptodome does not skip explanatory text)."""
    data = read(name)
    return data[data.index(b"-----BEGIN") :]


def spki_sha256(key) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def pss_verifies_with_pycryptodome(party: str, message: bytes, signature: bytes) -> bool:
    key = PyCryptodomeRSA.import_key(pem_block(f"{party}-public.EXAMPLE.pem"))
    try:
        pycryptodome_pss.new(key, salt_bytes=32).verify(PyCryptodomeSHA256.new(message), signature)
    except ValueError:
        return False
    return True


def signature_of(headers: dict[str, str]) -> bytes:
    return base64.b64decode(headers["paycore-signature"], validate=True)


# -- reading the doc -------------------------------------------------------------------------------
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def marked_blocks(kind: str) -> dict[str, str]:
    """Fenced blocks preceded by ``<!-- kind: name -->``, by name."""
    pattern = re.compile(rf"<!-- {kind}: (\S+) -->\n```[a-z]*\n(.*?)\n```", re.DOTALL)
    found: dict[str, str] = {}
    for name, text in pattern.findall(doc()):
        assert name not in found, f"{kind} {name} is marked twice in the doc"
        found[name] = text
    return found


def table_rows(heading: str) -> list[list[str]]:
    """The cells of the first table under a ``## heading`` (header and rule rows skipped)."""
    section = doc().split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


# -- the request -----------------------------------------------------------------------------------
def test_the_request_canonical_string_follows_the_rules():
    headers, body = header_file("request-headers.txt"), read("request-body.json")
    digest = hashlib.sha256(body).hexdigest()
    by_the_rules = (
        f"POST\n/v1/payments\n{headers['paycore-timestamp']}\n{headers['paycore-nonce']}\n{digest}\n"
    )
    assert read("request-canonical.txt") == by_the_rules.encode()
    assert signing.body_digest(body) == digest
    assert (
        signing.canonical_request(
            "POST", "/v1/payments", int(headers["paycore-timestamp"]), headers["paycore-nonce"], body
        )
        == by_the_rules.encode()
    )


def test_the_request_is_signed_by_the_merchants_example_key():
    headers, canonical = header_file("request-headers.txt"), read("request-canonical.txt")
    assert headers["paycore-signature-algorithm"] == "RSA-PSS-SHA256"
    assert (
        headers["paycore-key-id"]
        == spki_sha256(public_key("merchant"))
        == secure.key_id(private_key("merchant"))
    )
    signature = signature_of(headers)
    assert len(signature) == 256
    assert (
        secure.verify(public_key("merchant"), canonical, signature, headers["paycore-signature-algorithm"])
        is None
    )
    assert pss_verifies_with_pycryptodome("merchant", canonical, signature)
    with pytest.raises(crypto_errors.InvalidSignature):  # the check can fail: one byte changed
        secure.verify(public_key("merchant"), canonical.replace(b"POST", b"post"), signature)
    assert not pss_verifies_with_pycryptodome("gateway", canonical, signature)


def test_the_idempotency_key_and_content_type_are_sent():
    headers = header_file("request-headers.txt")
    assert headers["content-type"] == "application/json"
    assert re.fullmatch(r"[A-Za-z0-9_.:-]{8,128}", headers["idempotency-key"])


def test_the_rsa2_known_answer_is_reproduced_by_paycore_and_python_rsa():
    canonical = read("request-canonical.txt")
    expected = base64.b64decode(read("request-signature-rsa2.txt").strip(), validate=True)
    assert secure.sign(private_key("merchant"), canonical, "RSA2") == expected
    pkcs1 = private_key("merchant").private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    assert python_rsa.sign(canonical, python_rsa.PrivateKey.load_pkcs1(pkcs1), "SHA-256") == expected


# -- the envelope ----------------------------------------------------------------------------------
def test_the_payer_envelope_opens_by_hand_as_the_doc_describes():
    request = json.loads(read("request-body.json"))
    envelope = request["payer"]
    assert envelope["kid"] == spki_sha256(public_key("gateway-encryption"))  # not the signing key
    assert envelope["kid"] != spki_sha256(public_key("gateway"))

    def unb64url(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    content_key = private_key("gateway-encryption").decrypt(
        unb64url(envelope["ek"]),
        padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
    )
    header = json.dumps(
        {name: envelope[name] for name in ("alg", "enc", "kid", "v")}, sort_keys=True, separators=(",", ":")
    ).encode()
    context = f"{request['merchant_id']}\n{request['out_trade_no']}".encode()
    aad = len(header).to_bytes(4, "big") + header + context
    plaintext = AESGCM(content_key).decrypt(unb64url(envelope["iv"]), unb64url(envelope["ct"]), aad)
    assert plaintext == read("payer-plaintext.json")
    assert (
        secure.open_envelope(private_key("gateway-encryption"), envelope, associated_data=context)
        == plaintext
    )
    with pytest.raises(crypto_errors.DecryptionError):  # bound to this order: another order cannot open it
        secure.open_envelope(private_key("gateway-encryption"), envelope, associated_data=context + b"x")


def test_no_card_number_travels_in_clear():
    card = json.loads(read("payer-plaintext.json"))
    for name in ("request-body.json", "response-body.json", "notification-body.json"):
        assert card["number"].encode() not in read(name)
    assert card["number"][:6].encode() + b"******" + card["number"][-4:].encode() in read(
        "response-body.json"
    )


# -- the response ----------------------------------------------------------------------------------
def test_the_response_is_signed_by_the_gateway_for_this_request():
    request, response = header_file("request-headers.txt"), header_file("response-headers.txt")
    body, status = read("response-body.json"), int(read("response-status.txt"))
    by_the_rules = (
        f"{status}\n{request['paycore-nonce']}\n{response['paycore-timestamp']}\n"
        f"{response['paycore-nonce']}\n{hashlib.sha256(body).hexdigest()}\n"
    ).encode()
    assert read("response-canonical.txt") == by_the_rules
    assert (
        signing.canonical_response(
            status,
            request["paycore-nonce"],
            int(response["paycore-timestamp"]),
            response["paycore-nonce"],
            body,
        )
        == by_the_rules
    )
    assert response["paycore-key-id"] == spki_sha256(public_key("gateway"))
    assert int(response["content-length"]) == len(body)
    signature = signature_of(response)
    assert (
        secure.verify(public_key("gateway"), by_the_rules, signature, response["paycore-signature-algorithm"])
        is None
    )
    assert pss_verifies_with_pycryptodome("gateway", by_the_rules, signature)
    other_request = by_the_rules.replace(request["paycore-nonce"].encode(), b"0" * 32)
    with pytest.raises(crypto_errors.InvalidSignature):  # bound to its request: useless as another's answer
        secure.verify(public_key("gateway"), other_request, signature)


def test_the_response_answers_the_request():
    request, response = json.loads(read("request-body.json")), json.loads(read("response-body.json"))
    assert response["status"] == "SUCCEEDED" and response["failure_code"] is None
    assert response["amount"] == request["amount"]
    for name in ("merchant_id", "out_trade_no"):
        assert response[name] == request[name]


# -- the notification ------------------------------------------------------------------------------
def test_the_notification_is_signed_like_a_request_to_the_notify_path():
    headers, body = header_file("notification-headers.txt"), read("notification-body.json")
    path = urlsplit(json.loads(read("request-body.json"))["notify_url"]).path
    by_the_rules = (
        f"POST\n{path}\n{headers['paycore-timestamp']}\n{headers['paycore-nonce']}\n"
        f"{hashlib.sha256(body).hexdigest()}\n"
    ).encode()
    assert read("notification-canonical.txt") == by_the_rules
    assert headers["paycore-key-id"] == spki_sha256(public_key("gateway"))
    signature = signature_of(headers)
    assert (
        secure.verify(public_key("gateway"), by_the_rules, signature, headers["paycore-signature-algorithm"])
        is None
    )
    assert pss_verifies_with_pycryptodome("gateway", by_the_rules, signature)
    event = json.loads(body)
    assert set(event) == {"event_id", "type", "created_at", "data"} and event["type"] == "payment.succeeded"
    assert event["data"] == json.loads(read("response-body.json"))
    assert json.loads(read("notification-ack.json")) == {"code": "SUCCESS"}


# -- the doc shows the example exactly -------------------------------------------------------------
def test_the_doc_shows_every_example_file_byte_for_byte():
    shown = marked_blocks("example")
    assert set(shown) == SHOWN_IN_FULL
    for name, text in shown.items():
        data = read(name).decode("utf-8")
        assert text == data.removesuffix("\n"), f"docs/PROTOCOL.md's copy of {name} differs from the file"


def test_the_doc_states_the_real_body_hash():
    stated = marked_blocks("sha256")
    assert stated == {"request-body.json": hashlib.sha256(read("request-body.json")).hexdigest()}


def test_the_pretty_printed_bodies_in_the_doc_are_the_same_documents():
    pretty = marked_blocks("pretty")
    assert pretty, "the doc should show the bodies indented for reading"
    for name, text in pretty.items():
        assert json.loads(text) == json.loads(read(name)), name


def test_the_doc_names_the_example_files_that_exist():
    for name in set(re.findall(r"protocol-example/([A-Za-z0-9.-]+\.(?:json|txt|pem))", doc())):
        assert (EXAMPLE / name).is_file(), name


def test_the_doc_snippets_run(monkeypatch, capsys):
    """The Python recipes in the doc (cryptography and hashlib only) work on the example files."""
    snippets = marked_blocks("snippet")
    assert set(snippets) == {"verify-request", "open-envelope"}
    monkeypatch.chdir(ROOT)
    for name, code in snippets.items():
        exec(compile(code, f"PROTOCOL.md:{name}", "exec"), {})
    printed = capsys.readouterr().out
    assert "request signature: valid" in printed
    assert '"number": "4111111111111111"' in printed


@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("bash") is None, reason="needs openssl")
def test_the_doc_openssl_commands_verify_the_example(tmp_path):
    commands = marked_blocks("shell")["openssl-verify"]
    folder = tmp_path / "protocol-example"
    shutil.copytree(EXAMPLE, folder)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands], cwd=folder, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Verified OK") == 3, done.stdout
    (folder / "request-canonical.txt").write_bytes(read("request-canonical.txt").replace(b"POST", b"PUT"))
    failed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands], cwd=folder, capture_output=True, text=True
    )
    assert failed.returncode != 0  # the commands can fail


# -- the tables match the code ---------------------------------------------------------------------
def error_table() -> dict[str, str]:
    return {row[0].strip("`"): row[1] for row in table_rows("14. Error codes")}


def test_every_error_code_is_in_the_doc_and_no_other():
    assert set(error_table()) == {code.value for code in ErrorCode}


def test_the_doc_gives_every_status_each_code_may_be_answered_with():
    table = error_table()
    for code in ErrorCode:
        documented = {int(number) for number in re.findall(r"\b[1-5][0-9]{2}\b", table[code.value])}
        assert documented == set(code.statuses), f"{code.value}: the doc says {table[code.value]!r}"


def test_an_error_is_refused_a_status_its_code_does_not_declare():
    """PaymentError keeps the table complete: a status outside the code's own is a bug, caught at once."""
    from paycore.payment.errors import PaymentError

    assert PaymentError(ErrorCode.INVALID_REQUEST, "x", status=400).status == 400
    with pytest.raises(ValueError, match="never answered with 500"):
        PaymentError(ErrorCode.INVALID_REQUEST, "x", status=500)


def test_the_constants_table_matches_the_code():
    rows = table_rows("16. Constants")
    assert len(rows) >= 8
    for name, value, where in (row[:3] for row in rows):
        module = importlib.import_module(
            where.strip("`").removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        )
        actual = getattr(module, name.strip("`"))
        assert actual == ast.literal_eval(value.strip("`").replace("_", "")), f"{name} in {where}"


def doc_check_rows() -> list[list[str]]:
    """The codes of each row of section 7's table, in the order the doc says the checks run."""
    return [re.findall(r"`([A-Z_]+)`", row[1]) for row in table_rows("7. What the gateway checks, in order")]


def doc_row_of(code: str) -> int:
    """The first row whose *first* code is ``code``."""
    return [codes[0] if codes else None for codes in doc_check_rows()].index(code)


def _moved_envelope(world, document):
    document["payer"] = json.loads(payment_body(world, "T-elsewhere"))["payer"]


def _request_failing_two_checks(world, first: str, attacker_key):
    """A request that fails check ``first`` and the check after it; returns (headers, body)."""
    body = payment_body(world, "T-order-1")
    now = int(world.clock.now())
    if first == "MALFORMED_HEADERS":  # and an unknown key
        headers = signed_request(world, body, signer=MessageSigner(attacker_key))
        headers["Paycore-Nonce"] = "short"
    elif first == "UNKNOWN_KEY":  # and the wrong algorithm
        headers = signed_request(world, body, signer=MessageSigner(attacker_key, "RSA2"))
    elif first == "UNSUPPORTED_ALGORITHM":  # and a bad signature
        headers = signed_request(world, body, signer=MessageSigner(world.merchant.signer.private_key, "RSA2"))
        headers["Paycore-Signature"] = base64.b64encode(bytes(256)).decode()
    elif first == "INVALID_SIGNATURE":  # and a stale timestamp
        headers = signed_request(world, body, timestamp=now - 3600)
        body = body.replace(b'"value":100', b'"value":1')
    elif first == "TIMESTAMP_OUT_OF_WINDOW":  # and no Idempotency-Key
        headers = signed_request(world, body, timestamp=now - 3600)
        del headers["Idempotency-Key"]
    elif first == "IDEMPOTENCY_KEY_REQUIRED":  # and a replayed nonce
        headers = signed_request(world, body)
        assert send(world, headers, body).status == 200
        del headers["Idempotency-Key"]
    elif first == "REPLAYED_NONCE":  # and an Idempotency-Key reused for another body
        headers = signed_request(world, body, idempotency_key="order-key-1")
        assert send(world, headers, body).status == 200
        body = payment_body(world, "T-order-2")
        headers = {
            **headers,
            **world.merchant.signer.sign_request(
                "POST", PAYMENTS_PATH, body, timestamp=now, nonce=headers["Paycore-Nonce"]
            ),
        }
    elif first == "IDEMPOTENCY_KEY_REUSED":  # and a body that is not JSON
        assert send(world, signed_request(world, body, idempotency_key="order-key-2"), body).status == 200
        body = b"{not json"
        headers = signed_request(world, body, idempotency_key="order-key-2")
    else:
        document = json.loads(body)
        if first == "INVALID_REQUEST":  # an unknown field, and another merchant's id
            document.update(extra="field", merchant_id="M999999")
        elif first == "MERCHANT_MISMATCH":  # and an envelope sealed for another order
            document["merchant_id"] = "M999999"
            _moved_envelope(world, document)
        elif first == "PAYER_UNREADABLE":  # and an out_trade_no already paid
            assert send(world, signed_request(world, body), body).status == 200
            _moved_envelope(world, document)
        body = json.dumps(document).encode()
        headers = signed_request(world, body)
    return headers, body


@pytest.mark.parametrize(
    "first, then, refusal",
    [
        ("MALFORMED_HEADERS", "UNKNOWN_KEY", "MALFORMED_HEADERS"),
        ("UNKNOWN_KEY", "UNSUPPORTED_ALGORITHM", "UNKNOWN_KEY"),
        ("UNSUPPORTED_ALGORITHM", "INVALID_SIGNATURE", "UNSUPPORTED_ALGORITHM"),
        ("INVALID_SIGNATURE", "TIMESTAMP_OUT_OF_WINDOW", "INVALID_SIGNATURE"),
        ("TIMESTAMP_OUT_OF_WINDOW", "IDEMPOTENCY_KEY_REQUIRED", "TIMESTAMP_OUT_OF_WINDOW"),
        ("IDEMPOTENCY_KEY_REQUIRED", "REPLAYED_NONCE", "IDEMPOTENCY_KEY_REQUIRED"),
        ("REPLAYED_NONCE", "IDEMPOTENCY_KEY_REUSED", "REPLAYED_NONCE"),
        ("IDEMPOTENCY_KEY_REUSED", "MALFORMED_JSON", "IDEMPOTENCY_KEY_REUSED"),
        ("MALFORMED_JSON", "MERCHANT_MISMATCH", "INVALID_REQUEST"),  # the schema row
        ("MERCHANT_MISMATCH", "PAYER_UNREADABLE", "MERCHANT_MISMATCH"),
        ("PAYER_UNREADABLE", "DUPLICATE_OUT_TRADE_NO", "PAYER_UNREADABLE"),
    ],
)
def test_the_doc_lists_the_gateways_checks_in_the_order_they_run(world, attacker_key, first, then, refusal):
    """Send a request that fails two checks: the gateway names the earlier one, and so does the doc."""
    earlier, later = doc_row_of(first), doc_row_of(then)
    assert earlier < later, f"the doc puts {then} before {first}"
    assert refusal in doc_check_rows()[earlier]
    headers, body = _request_failing_two_checks(world, refusal, attacker_key)
    assert error_code(send(world, headers, body)) == refusal


def test_protocol_md_is_what_its_template_builds():
    """PROTOCOL.md is generated from docs/tools/PROTOCOL.template.md: edit the template, then rebuild."""
    import importlib.util

    builder = Path(__file__).resolve().parents[2] / "docs" / "tools" / "build_protocol_doc.py"
    spec = importlib.util.spec_from_file_location("build_protocol_doc", builder)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build()
    current = (builder.parents[1] / "PROTOCOL.md").read_text(encoding="utf-8")
    assert built == current, "PROTOCOL.md is stale: run .venv/bin/python docs/tools/build_protocol_doc.py"
