"""Notebook 04's figures: capacity per padding and key size, and the envelope's parts."""

import json

from paycore import figures, secure
from tests.conftest import load_pinned_key

from .conftest import bar_values, legend_labels, texts

CAPACITY = {"PKCS#1 v1.5": lambda k: k - 11, "OAEP-SHA256": lambda k: k - 66}


def test_capacity_bars_follow_each_rule_for_each_key_size():
    ax = figures.rsa_capacity(CAPACITY, (1024, 2048, 4096), 613).axes[0]
    assert bar_values(ax) == [[117, 245, 501], [62, 190, 446]]
    assert legend_labels(ax) == list(CAPACITY)
    assert [label.get_text() for label in ax.get_xticklabels()] == ["RSA-1024", "RSA-2048", "RSA-4096"]
    assert sorted(line.get_ydata()[0] for line in ax.lines) == [32, 613]
    assert "our order\n613 bytes" in texts(ax)


def test_the_envelope_figure_names_the_real_lengths_of_its_fields():
    gateway = load_pinned_key(2048)
    order = json.dumps({"out_trade_no": "A1", "total_amount": 100}, separators=(",", ":")).encode()
    envelope = secure.seal(gateway.public_key(), order, associated_data=b"A1")
    drawn = texts(figures.envelope_layout(envelope, len(order), "A1").axes[0])
    assert "ek\n256 bytes: the AES key,\nwrapped" in drawn
    assert "iv\n12-byte\nnonce" in drawn
    assert f"ct\n{len(order)} bytes of encrypted order\n+ 16-byte tag" in drawn
    assert "order number A1\n(associated data, never sent)" in drawn
