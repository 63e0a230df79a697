"""Figures of RSA: the textbook permutation, the CRT's two bars, the factoring curve."""

import math

import pytest

from paycore import figures
from paycore.attacks.factoring_curve import ANCHOR, CurvePoint
from paycore.textbook import RSAPrivateKey, encrypt_int

from .conftest import bar_values, legend_labels


def test_the_permutation_plots_each_message_against_its_ciphertext():
    key = RSAPrivateKey.from_primes(11, 13, 7)
    ciphertexts = [pow(m, 7, 143) for m in range(143)]  # computed here without paycore, as a reference
    assert ciphertexts == [encrypt_int(key.public_key(), m) for m in range(143)]
    ax = figures.textbook_permutation(143, 7, ciphertexts).axes[0]
    (dots,) = ax.collections
    assert [tuple(map(int, point)) for point in dots.get_offsets()] == list(enumerate(ciphertexts))
    assert ax.get_xlabel() == "message M"
    assert ax.get_ylabel() == "ciphertext C = M^7 mod 143"
    assert ax.get_title() == "Textbook RSA permutes 0..142"


def test_the_crt_figure_shows_both_times_in_milliseconds():
    ax = figures.crt_timings(0.020, 0.006, bits=2048).axes[0]
    assert bar_values(ax) == [pytest.approx([20.0, 6.0])]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["pow(c, d, n)", "CRT"]
    assert "2048-bit" in ax.get_xlabel()


def test_the_factoring_curve_draws_the_measured_points_the_fit_and_the_estimate():
    points = [CurvePoint(bits, 2.0 ** (-20 + bits / 4), 0, 3) for bits in (24, 32, 40)]
    ax = figures.factoring_costs(points, (-20.0, 0.25)).axes[0]
    measured, fitted, estimate, anchor = ax.lines[:4]
    assert list(measured.get_xdata()) == [24, 32, 40]
    assert list(measured.get_ydata()) == [point.seconds for point in points]
    assert fitted.get_ydata()[0] == pytest.approx(2 ** (-20 + 24 / 4))
    assert all(a < b for a, b in zip(estimate.get_ydata(), estimate.get_ydata()[1:], strict=False))
    assert list(anchor.get_xdata()) == [ANCHOR.bits]
    assert ax.get_yscale() == "log"
    assert "measured: Pollard rho, pure Python, this machine" in legend_labels(ax)
    assert any("ESTIMATE" in label for label in legend_labels(ax))
    assert math.isclose(ax.get_ylim()[1], 1e30)
