"""A node's card says its key params in words, whole at the canvas's size."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics

from designer.model import GraphDocument
from designer.ui.canvas import style
from designer.ui.canvas.node_text import params_summary


def summary(kind: str, **params) -> str:
    doc = GraphDocument()
    return params_summary(doc.add_node(kind, params=params))


def test_key_params_read_as_words():
    assert summary("conv2d", filters=6, kernel_size=5) == "5\u00d75, 6 filters"
    assert summary("conv2d", filters=64, kernel_size=(1, 7), stride=2, padding=(0, 3)) == (
        "1\u00d77, 64 filters, stride 2, pad 0\u00d73"
    )
    assert summary("dense", units=120) == "120 units"  # bias at its default says nothing
    assert summary("dense", units=10, bias=False) == "10 units, no bias"
    assert summary("maxpool2d") == "2\u00d72, stride 2"
    assert summary("dropout", p=0.25) == "p 0.25"
    assert (
        summary("lstm", hidden_size=32, bidirectional=True) == "32 hidden, 1 layer, bidirectional"
    )
    assert summary("relu") == ""


def test_every_lenet_card_shows_its_whole_line(window, example):
    window.open_file(example("lenet5_digits"))
    for item in window.scene.node_items.values():
        line = f"{item.kind}  {item.summary}"
        width = QFontMetrics(window.scene.font()).horizontalAdvance(line)
        assert width <= style.NODE_WIDTH - 24, line  # not cut to "kernel_si\u2026"
