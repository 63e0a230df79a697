"""The padded blocks of notebook 03: every byte drawn, in order, coloured by its field."""

import pytest

from paycore import figures
from paycore.figures._canvas import new_figure
from paycore.figures.paddings import draw_block
from paycore.pkcs1 import emsa_pss_encode_steps, oaep_encode_steps

from .conftest import legend_labels, rectangles, texts

MESSAGE = b'{"amount_fen":12345,"currency":"CNY"}'


def test_oaep_draws_db_and_em_byte_by_byte_with_their_fields():
    steps = oaep_encode_steps(MESSAGE, 128, hash="sha256", label=b"", seed=bytes(range(32)))
    top, bottom = figures.oaep_blocks(steps).axes
    for ax, block in ((top, steps.db), (bottom, steps.em)):
        assert len(rectangles(ax)) == len(block)
        assert texts(ax) == [f"{byte:02x}" for byte in block]
    assert legend_labels(top) == [
        "lHash (32 B)",
        f"PS (zeros) ({len(steps.ps)} B)",
        "01 (1 B)",
        f"M ({len(MESSAGE)} B)",
    ]
    assert legend_labels(bottom) == ["00 (1 B)", "maskedSeed (32 B)", "maskedDB (95 B)"]


def test_pss_draws_the_unmasked_and_the_masked_block():
    steps = emsa_pss_encode_steps(MESSAGE, 1023, hash="sha256", salt=bytes(32))
    top, bottom = figures.pss_blocks(steps).axes
    assert texts(top) == [f"{byte:02x}" for byte in steps.db + steps.h + b"\xbc"]
    assert texts(bottom) == [f"{byte:02x}" for byte in steps.em]
    assert "salt (32 B)" in legend_labels(top) and legend_labels(bottom)[-1] == "bc (1 B)"


def test_fields_that_do_not_cover_the_block_are_refused():
    ax = new_figure(2, 2).add_subplot()
    with pytest.raises(ValueError, match="cover 3 bytes, but the block has 4"):
        draw_block(ax, b"abcd", [("x", 3, "red")], "too short")
