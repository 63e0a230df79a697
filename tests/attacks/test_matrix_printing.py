"""The attack-defence matrix fits a projector: no line wider than the screen, nothing lost."""

import pytest

from paycore.attacks.cli import format_matrix
from paycore.attacks.report import Report, Work
from paycore.cli import main

LONG_TARGET = "gateway with a past-only window and 5-minute nonce memory, and a second clause"
DEFENCE = "a two-sided window and nonces remembered for as long as a timestamp stays acceptable"


def report(number, attack, path, target, succeeded, work):
    return Report(
        number=number,
        attack=attack,
        title="t",
        source="s",
        path=path,
        target=target,
        succeeded=succeeded,
        work=work,
        defence=DEFENCE,
        detail="why this run came out as it did, in words long enough to need wrapping on a narrow screen",
    )


TIMESTAMPS = "stale-and-future-timestamps"
REPORTS = [
    report("18", TIMESTAMPS, "vulnerable", LONG_TARGET, True, Work(queries=1, seconds=0.0001)),
    report("18", TIMESTAMPS, "production", "paycore gateway", False, Work(queries=2, seconds=0.02)),
    report("7a", "factor-tiny-modulus", "vulnerable", "textbook RSA-32 and RSA-64", True,
           Work(guesses=104_186, seconds=0.11)),
    report("7a", "factor-tiny-modulus", "production", "paycore.secure RSA-2048", True,  # an unexpected result
           Work(guesses=40_032, seconds=1.21)),
]  # fmt: skip


@pytest.mark.parametrize("width", [60, 72, 80, 100])
def test_no_line_is_wider_than_the_screen(width):
    text = format_matrix(REPORTS, details=True, width=width)
    assert max(len(line) for line in text.splitlines()) <= width, width


def test_every_target_result_work_and_defence_word_is_still_there():
    text = format_matrix(REPORTS, width=60)
    words = " ".join(text.split())
    for target in (LONG_TARGET, "paycore gateway", "textbook RSA-32 and RSA-64"):
        assert target in words
    assert "defence: " + DEFENCE in words
    assert "BROKEN" in text and "defended" in text and "UNEXPECTED" in text
    assert "104,186 guesses, 0.11 s" in text and "18  stale-and-future-timestamps" in text


def test_the_real_lab_fits_100_columns(capsys):
    assert main(["attacks", "--only", "18", "--only", "7a", "--details", "--width", "80"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "GNFS ESTIMATE" in out and "4 of 4 runs as expected" in out
