"""Figures of RSA itself: the textbook permutation (01), the CRT's speed-up (02), factoring costs (06)."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from paycore.attacks import factoring_curve
from paycore.attacks.factoring_curve import CurvePoint
from paycore.figures._canvas import new_figure


def textbook_permutation(n: int, e: int, ciphertexts: Sequence[int]) -> Figure:
    """Every message M in 0..n-1 against its textbook ciphertext ``ciphertexts[M]``, one dot each."""
    fig = new_figure(5.5, 5.5)
    ax = fig.add_subplot()
    ax.scatter(range(len(ciphertexts)), ciphertexts, s=1, color="tab:blue")
    ax.set(
        xlabel="message M",
        ylabel=f"ciphertext C = M^{e} mod {n}",
        title=f"Textbook RSA permutes 0..{n - 1}",
    )
    ax.set_aspect("equal")
    return fig


def crt_timings(seconds_without_crt: float, seconds_with_crt: float, *, bits: int) -> Figure:
    """Two bars: the time of one ``bits``-bit decryption with ``pow(c, d, n)`` and with the CRT."""
    fig = new_figure(5, 2.2)
    ax = fig.add_subplot()
    ax.barh(
        ["pow(c, d, n)", "CRT"],
        [seconds_without_crt * 1e3, seconds_with_crt * 1e3],
        color=["tab:gray", "tab:green"],
    )
    ax.set_xlabel(f"milliseconds per {bits}-bit decryption (pure Python)")
    return fig


def factoring_costs(points: Sequence[CurvePoint], fit: tuple[float, float]) -> Figure:
    """Time to factor, on a log scale: Pollard rho measured on small n (``points``) and its fitted line
    ``log2(seconds) = a + b * bits`` (``fit``), against the GNFS estimate scaled to RSA-250, with the
    records and the key sizes that matter marked."""
    a, b = fit
    year = factoring_curve.SECONDS_PER_YEAR
    fig = new_figure(8, 4.5)
    ax = fig.add_subplot()
    ax.semilogy(
        [p.bits for p in points],
        [p.seconds for p in points],
        "o",
        color="tab:blue",
        label="measured: Pollard rho, pure Python, this machine",
    )
    rho_bits = list(range(24, 300, 4))
    ax.semilogy(
        rho_bits, [2 ** (a + b * x) for x in rho_bits], ":", color="tab:blue", label="rho, extrapolated"
    )
    gnfs_bits = list(range(300, 2100, 20))
    ax.semilogy(
        gnfs_bits,
        [factoring_curve.gnfs_core_years(x) * year for x in gnfs_bits],
        "-",
        color="tab:red",
        label="ESTIMATE: GNFS, scaled to RSA-250, one core",
    )
    rsa_155, anchor = factoring_curve.RECORDS[0], factoring_curve.ANCHOR
    ax.semilogy(anchor.bits, anchor.core_years * year, "s", color="black")
    ax.annotate(
        f"{anchor.name}, {anchor.year}: ~{anchor.core_years:,.0f} core-years\n(the estimate's anchor)",
        (anchor.bits, anchor.core_years * year),
        xytext=(anchor.bits + 30, 1e8),
        fontsize=8,
        arrowprops={"arrowstyle": "-", "color": "gray"},
    )
    ax.axvline(rsa_155.bits, color="black", lw=0.8)
    ax.annotate(
        f"{rsa_155.name}: {rsa_155.bits} bits, factored {rsa_155.year}\n(the seed article's key size)",
        (rsa_155.bits, 1e21),
        xytext=(rsa_155.bits + 12, 1e21),
        fontsize=8,
    )
    for size in (1024, 2048):
        ax.axvline(size, color="gray", lw=0.8, ls="--")
        ax.annotate(f"{size} bits", (size, 1e28), xytext=(size + 12, 1e28), fontsize=8)
    for label, seconds in (("1 hour", 3600), ("1 year", year), ("age of the universe", 13.8e9 * year)):
        ax.axhline(seconds, color="lightgray", lw=0.6)
        ax.annotate(label, (30, seconds), xytext=(30, seconds * 2), fontsize=7, color="gray")
    ax.set_xlabel("modulus size (bits)")
    ax.set_ylabel("time to factor (seconds, log scale)")
    ax.set_ylim(1e-5, 1e30)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Factoring: measured on small n, estimated for real keys")
    return fig
