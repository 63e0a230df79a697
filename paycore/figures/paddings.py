"""Notebook 03's pictures of padded blocks: every byte of OAEP's and PSS's blocks, coloured by field."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from paycore.figures._canvas import new_figure
from paycore.pkcs1.oaep import OAEPEncoding
from paycore.pkcs1.pss import PSSEncoding

BYTES_PER_ROW = 16
COLOURS = {
    "hash": "#9ecae1",
    "zeros": "#eeeeee",
    "marker": "#fdae6b",
    "message": "#a1d99b",
    "seed": "#bcbddc",
    "masked": "#fdd0a2",
}

Field = tuple[str, int, str]  # (name, length in bytes, colour)


def draw_block(ax: Axes, block: bytes, fields: Sequence[Field], title: str) -> None:
    """Draw ``block`` 16 bytes to a row, each byte a square with its hex value, coloured by the field it
    belongs to; ``fields`` must cover the block exactly, in order."""
    colours = [colour for _, length, colour in fields for _ in range(length)]
    if len(colours) != len(block):
        raise ValueError(f"the fields cover {len(colours)} bytes, but the block has {len(block)}")
    rows = -(-len(block) // BYTES_PER_ROW)
    for i, (byte, colour) in enumerate(zip(block, colours, strict=True)):
        row, col = divmod(i, BYTES_PER_ROW)
        ax.add_patch(Rectangle((col, rows - 1 - row), 1, 1, facecolor=colour, edgecolor="white"))
        ax.text(
            col + 0.5,
            rows - 0.5 - row,
            f"{byte:02x}",
            ha="center",
            va="center",
            fontsize=6.5,
            family="monospace",
        )
    ax.set(xlim=(0, BYTES_PER_ROW), ylim=(0, rows), aspect="equal")
    ax.axis("off")
    ax.set_title(title, loc="left", fontsize=10)
    ax.legend(
        handles=[Patch(color=colour, label=f"{name} ({length} B)") for name, length, colour in fields],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
        frameon=False,
    )


def oaep_blocks(steps: OAEPEncoding) -> Figure:
    """OAEP's data block before masking (lHash || PS || 01 || M) above the encoded message EM that RSA
    encrypts (00 || maskedSeed || maskedDB), from the intermediate values of ``oaep_encode_steps``."""
    h_len, ps_len = len(steps.l_hash), len(steps.ps)
    m_len = len(steps.db) - h_len - ps_len - 1
    fig = new_figure(8.5, 7.5)
    top, bottom = fig.subplots(2, 1)
    draw_block(
        top,
        steps.db,
        [
            ("lHash", h_len, COLOURS["hash"]),
            ("PS (zeros)", ps_len, COLOURS["zeros"]),
            ("01", 1, COLOURS["marker"]),
            ("M", m_len, COLOURS["message"]),
        ],
        "DB = lHash || PS || 01 || M   (before masking)",
    )
    draw_block(
        bottom,
        steps.em,
        [
            ("00", 1, COLOURS["marker"]),
            ("maskedSeed", len(steps.masked_seed), COLOURS["seed"]),
            ("maskedDB", len(steps.masked_db), COLOURS["masked"]),
        ],
        "EM = 00 || maskedSeed || maskedDB   (what RSA encrypts)",
    )
    return fig


def pss_blocks(steps: PSSEncoding) -> Figure:
    """PSS's DB || H || bc before DB is masked (PS || 01 || salt, then H and bc) above the encoded
    message EM = maskedDB || H || bc that the private key signs, from ``emsa_pss_encode_steps``."""
    ps_len, salt_len, h_len = len(steps.ps), len(steps.salt), len(steps.h)
    fig = new_figure(8.5, 7.5)
    top, bottom = fig.subplots(2, 1)
    draw_block(
        top,
        steps.db + steps.h + b"\xbc",
        [
            ("PS (zeros)", ps_len, COLOURS["zeros"]),
            ("01", 1, COLOURS["marker"]),
            ("salt", salt_len, COLOURS["seed"]),
            ("H", h_len, COLOURS["hash"]),
            ("bc", 1, COLOURS["marker"]),
        ],
        "DB || H || bc   (before masking DB)",
    )
    draw_block(
        bottom,
        steps.em,
        [
            ("maskedDB", len(steps.masked_db), COLOURS["masked"]),
            ("H", h_len, COLOURS["hash"]),
            ("bc", 1, COLOURS["marker"]),
        ],
        "EM = maskedDB || H || bc   (what the private key signs; the first bit is cleared)",
    )
    return fig
