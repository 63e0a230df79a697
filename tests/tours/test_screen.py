"""Printing for a projector: shortening, labelled columns and JSON that stays JSON."""

import json
from types import SimpleNamespace

import pytest

from paycore.tours.screen import MAX_WIDTH, Screen, json_lines, labelled, shorten, terminal_width

LONG = {
    "merchant_id": "M100001",
    "amount": {"currency": "CNY", "value": 9980},
    "items": [{"sku": "TEA-1", "name": "Longjing green tea " * 6, "quantity": 2}],
    "payer": {"alg": "RSA-OAEP-256", "ct": "x" * 300, "ek": "y" * 344, "iv": "z" * 16, "v": 1},
    "note": None,
}


def test_shorten_keeps_both_ends_and_the_room():
    text = "0123456789" * 5
    short = shorten(text, 20)
    assert len(short) == 20 and short.startswith("01234") and short.endswith("6789") and "..." in short
    assert shorten("fits", 10) == "fits"


@pytest.mark.parametrize("width", [60, 72, 80, 100])
def test_json_lines_fit_the_width_and_parse_back_with_the_same_structure(width):
    lines, shortened = json_lines(LONG, width, indent="     ")
    assert shortened
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    parsed = json.loads("\n".join(lines))
    assert parsed.keys() == LONG.keys()
    assert parsed["payer"].keys() == LONG["payer"].keys()
    assert parsed["amount"] == LONG["amount"] and parsed["payer"]["v"] == 1 and parsed["note"] is None
    assert parsed["payer"]["ek"].startswith("yyy") and "..." in parsed["payer"]["ek"]
    assert parsed["payer"]["iv"] == "z" * 16  # short values are never touched


def test_json_lines_escape_as_the_wire_does():
    lines, _ = json_lines({"name": "龙井"}, 80)
    assert lines == ['{"name": "\\u9f99\\u4e95"}'] and json.loads(lines[0]) == {"name": "龙井"}


def test_json_lines_leave_a_small_document_alone():
    lines, shortened = json_lines({"code": "SUCCESS"}, 80)
    assert lines == ['{"code": "SUCCESS"}'] and not shortened


def test_labelled_lines_align_and_fit():
    lines = labelled([("METHOD", "POST"), ("SHA-256 OF BODY", "ab" * 32)], 60, indent="    ")
    assert lines[0] == "    METHOD           POST"
    assert lines[1].startswith("    SHA-256 OF BODY  abab") and len(lines[1]) <= 60


def test_width_comes_from_the_option_or_the_terminal_capped(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    assert terminal_width() == MAX_WIDTH
    monkeypatch.setenv("COLUMNS", "70")
    assert terminal_width() == 70
    assert Screen.from_args(SimpleNamespace(width=90, plain=True)).width == 90
    with pytest.raises(ValueError, match="at least 60"):
        Screen.from_args(SimpleNamespace(width=20, plain=False))


def test_plain_rules_are_ascii():
    assert Screen(width=70, plain=True).rule("x").isascii()
    assert not Screen(width=70, plain=False).rule("x").isascii()
    assert len(Screen(width=70).rule("title")) == 70
