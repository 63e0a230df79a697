"""``paycore demo`` on a projector: it fits, labels every canonical line, and shows valid JSON."""

import hashlib
import json
import re
import subprocess
import sys

import pytest

from paycore.payment.money import Money
from paycore.tours.payment_tour import amount_text, canonical_pairs

INDENT = " " * 5


def demo(*options, columns="100"):
    done = subprocess.run(
        [sys.executable, "-m", "paycore.cli", "demo", *options],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": columns, "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def narrow():
    return demo("--width", "72", "--plain")


@pytest.fixture(scope="module")
def wide():
    return demo(columns="240")  # a wide terminal: still capped at 100 columns


def json_blocks(text):
    """Every JSON object the tour printed at the step indent (from its "{" line to its "}" line)."""
    lines, blocks, current = text.splitlines(), [], None
    for line in lines:
        if line == INDENT + "{":
            current = [line]
        elif current is not None:
            current.append(line)
            if line == INDENT + "}":
                blocks.append(json.loads("\n".join(current)))
                current = None
    return blocks


def labelled(text, label):
    """The values printed after ``label`` in the tour's canonical strings, in order."""
    return re.findall(rf"^ {{9}}{re.escape(label)} +(\S+)$", text, re.MULTILINE)


@pytest.mark.parametrize(("name", "width"), [("narrow", 72), ("wide", 100)])
def test_every_line_fits(name, width, request):
    text = request.getfixturevalue(name)
    assert max(len(line) for line in text.splitlines()) <= width


def test_both_canonical_strings_are_labelled_line_by_line(wide):
    for label in ("METHOD", "TARGET", "TIMESTAMP", "SHA-256 OF BODY", "STATUS", "REQUEST NONCE"):
        assert labelled(wide, label), label
    assert labelled(wide, "METHOD") == ["POST"] and labelled(wide, "TARGET") == ["/v1/payments"]
    assert labelled(wide, "STATUS") == ["200"]
    request_nonce = labelled(wide, "NONCE")[0]
    assert labelled(wide, "REQUEST NONCE") == [request_nonce]  # the answer is bound to the request
    assert f"Paycore-Nonce: {request_nonce}" in wide  # and it is the nonce the request carried


def test_request_and_answer_are_shown_once_as_valid_json(wide, narrow):
    for text in (wide, narrow):
        request, answer = json_blocks(text)
        assert request["payer"]["alg"] == "RSA-OAEP-256" and request["amount"] == {
            "currency": "CNY",
            "value": 9980,
        }
        assert answer["status"] == "SUCCEEDED" and answer["payer"]["display"] == "411111******1111"
        assert text.count("Paycore-Signature-Algorithm: RSA-PSS-SHA256") == 1
        assert "4111111111111111" not in text


def test_the_answers_canonical_string_hashes_the_answer_shown(wide):
    _, answer = json_blocks(wide)  # the answer has no long strings, so it is shown whole
    body = json.dumps(answer, separators=(",", ":"), sort_keys=True).encode()  # the gateway's encoding
    assert labelled(wide, "SHA-256 OF BODY")[1] == hashlib.sha256(body).hexdigest()


def test_amounts_and_the_ledger_are_in_words(wide):
    assert "CNY 99.80 (9980 fen)" in wide
    assert "9980 fen CNY" not in wide and "{'CNY'" not in wide
    words = " ".join(wide.split())  # the ledger sentence may wrap anywhere
    assert "a USD wallet, W-bob, which this payment does not touch" in words
    assert "the CNY balances sum to 0 and the USD balances to 0" in words
    assert "holds CNY 99.80 (9980 fen)" in wide
    assert wide.rstrip().endswith("demo ok")


def test_plain_output_is_ascii(narrow):
    assert narrow.isascii()


def test_amount_text_uses_the_currency_and_its_minor_unit():
    assert amount_text(Money(12345, "CNY")) == "CNY 123.45 (12345 fen)"
    assert amount_text(Money(5, "USD")) == "USD 0.05 (5 cents)"
    assert amount_text(Money(1234, "KWD")) == "KWD 1.234 (1234 minor units)"


def test_canonical_pairs_refuse_a_string_of_the_wrong_shape():
    labels = ("A", "B")
    assert canonical_pairs(b"x\ny\n", labels) == [("A", "x"), ("B", "y")]
    with pytest.raises(ValueError, match="2 lines"):
        canonical_pairs(b"x\ny", labels)
