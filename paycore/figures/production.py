"""Notebook 04's figures: how much one RSA encryption carries, and what the hybrid envelope holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from paycore.figures._canvas import new_figure
from paycore.secure import Envelope


def rsa_capacity(
    capacity: Mapping[str, Callable[[int], int]],
    key_sizes: Sequence[int],
    order_length: int,
    *,
    aes_key_length: int = 32,
) -> Figure:
    """Grouped bars: for each key size (bits), the bytes one encryption carries under each padding,
    ``capacity[name](k)`` with k the key length in bytes; the order's length as a dashed line and an AES
    key's as a dotted one."""
    fig = new_figure(8.5, 3.8)
    ax = fig.add_subplot()
    width = 0.8 / max(len(capacity), 1)
    middle = (len(capacity) - 1) / 2
    for i, (name, rule) in enumerate(capacity.items()):
        positions = [j + (i - middle) * width for j in range(len(key_sizes))]
        ax.bar(positions, [rule(bits // 8) for bits in key_sizes], width, label=name)
    right = len(key_sizes) - 0.48
    ax.axhline(order_length, color="black", linestyle="--", linewidth=1)
    ax.text(right, order_length - 12, f"our order\n{order_length} bytes", fontsize=9, va="top")
    ax.axhline(aes_key_length, color="black", linestyle=":", linewidth=1)
    ax.text(right, aes_key_length + 12, f"an AES-256\nkey: {aes_key_length} bytes", fontsize=9, va="bottom")
    ax.set_xticks(range(len(key_sizes)), [f"RSA-{bits}" for bits in key_sizes])
    ax.set_ylabel("bytes per RSA encryption")
    ax.set_ylim(0, order_length + 70)
    ax.set_xlim(-0.55, len(key_sizes) + 0.2)
    ax.set_title("What one RSA encryption can carry")
    ax.legend(loc="upper left", fontsize=8, ncol=2, bbox_to_anchor=(0, 0.88))
    return fig


def _box(ax: Axes, x: float, y: float, w: float, h: float, text: str, colour: str) -> None:
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", facecolor=colour, edgecolor="black"))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=8.5)


def _arrow(ax: Axes, start: tuple, end: tuple, text: str = "", *, dashed: bool = False) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=12, linestyle="--" if dashed else "-", color="black"
        )
    )
    if text:
        ax.text((start[0] + end[0]) / 2 + 0.1, (start[1] + end[1]) / 2, text, fontsize=8, va="center")


def envelope_layout(envelope: Envelope, order_length: int, order_number: str) -> Figure:
    """How ``seal`` turns an order of ``order_length`` bytes into ``envelope``: a fresh AES key wrapped
    with RSA-OAEP, the order under AES-256-GCM, the order number as associated data (never sent), and
    the envelope's fields with their real lengths."""
    fig = new_figure(10, 5, tight=False)
    ax = fig.add_subplot()
    _box(ax, 0.3, 4.6, 2.8, 0.9, "fresh AES-256 key\n32 random bytes", "#fde2b8")
    _box(ax, 4.6, 4.6, 2.8, 0.9, f"order JSON\n{order_length} bytes", "#d6eaf8")
    _box(ax, 8.6, 4.6, 3.0, 0.9, f"order number {order_number}\n(associated data, never sent)", "#eeeeee")
    _box(ax, 0.3, 2.7, 2.8, 0.8, "RSA-OAEP-SHA256\nto the gateway's public key", "white")
    _box(ax, 6.2, 2.7, 3.4, 0.8, "AES-256-GCM\nencrypt, then compute the tag", "white")
    frame = FancyBboxPatch(
        (0.1, 0.2), 11.7, 1.65, boxstyle="round,pad=0.05", facecolor="none", edgecolor="gray", linestyle=":"
    )
    ax.add_patch(frame)
    ax.text(0.2, 1.65, "the envelope (JSON, binary fields in base64url)", fontsize=8, color="gray")
    wrapped = len(envelope.encrypted_key)
    _box(ax, 0.3, 0.4, 2.6, 1.0, f"ek\n{wrapped} bytes: the AES key,\nwrapped", "#fde2b8")
    _box(ax, 3.3, 0.4, 2.6, 1.0, "v, alg, enc, kid\nheader: readable,\nbut authenticated", "#eeeeee")
    _box(ax, 6.3, 0.4, 1.2, 1.0, f"iv\n{len(envelope.iv)}-byte\nnonce", "#e8f5e9")
    tag = len(envelope.ciphertext) - order_length
    _box(ax, 7.9, 0.4, 3.7, 1.0, f"ct\n{order_length} bytes of encrypted order\n+ {tag}-byte tag", "#d6eaf8")
    _arrow(ax, (1.7, 4.6), (1.7, 3.55))
    _arrow(ax, (1.7, 2.7), (1.7, 1.45))
    _arrow(ax, (3.1, 4.85), (6.4, 3.55), "the key")
    _arrow(ax, (6.0, 4.6), (7.2, 3.55))
    _arrow(ax, (10.1, 4.6), (9.3, 3.55), "authenticated", dashed=True)
    _arrow(ax, (4.6, 1.45), (6.2, 2.85), "authenticated", dashed=True)
    _arrow(ax, (6.9, 1.45), (6.9, 2.7))
    _arrow(ax, (9.0, 2.7), (9.75, 1.45))
    ax.set_xlim(0, 12)
    ax.set_ylim(0, 5.7)
    ax.axis("off")
    return fig
