"""Layers the Fix button inserts and the palette adds land in free space, not on other nodes."""

from __future__ import annotations

from itertools import combinations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.gestures import click, double_click_in_palette, drag, key

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton


def overlaps(window) -> list[tuple[str, str]]:
    """The pairs of nodes whose drawn rectangles (body, ports and badges) intersect."""
    items = window.scene.node_items.values()
    return [
        (a.name, b.name)
        for a, b in combinations(items, 2)
        if a.sceneBoundingRect().intersects(b.sceneBoundingRect())
    ]


def node_center(window, name: str):
    return window.scene.node_items[window.editor.doc.find(name).id].sceneBoundingRect().center()


def test_the_fix_puts_the_inserted_flatten_in_free_space(window, example):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    click(window.view, node_center(window, "flatten"))
    key(window.view, Qt.Key.Key_Delete)
    items = window.scene.node_items
    pool2, fc1 = items[doc.find("pool2").id], items[doc.find("fc1").id]
    drag(window.view, pool2.outputs[0].scenePos(), fc1.inputs[0].scenePos())
    key(window.view, Qt.Key.Key_L, CTRL)  # the chain packed: pool2 and fc1 one layer apart
    assert not overlaps(window)
    tree = window.problems.tree
    QTest.mouseClick(tree.itemWidget(tree.topLevelItem(0), 1), LEFT)
    flatten = next(node for node in doc.nodes() if node.kind == "flatten")
    assert window.editor.report.ok
    assert [edge.source for edge in doc.in_edges(flatten.id)] == [pool2.node_id]
    assert not overlaps(window)


def test_a_palette_double_click_adds_after_the_selected_node_in_free_space(window, example):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    count = window.editor.undo_stack.count()
    click(window.view, node_center(window, "relu3"))
    double_click_in_palette(window, "dropout")
    dropout = doc.nodes()[-1]
    assert dropout.kind == "dropout"
    assert [edge.source for edge in doc.in_edges(dropout.id)] == [doc.find("relu3").id]
    assert window.scene.selected_node_ids() == [dropout.id]
    assert not overlaps(window)
    double_click_in_palette(window, "embedding")  # takes token ids, not floats: not wired
    embedding = doc.nodes()[-1]
    assert embedding.kind == "embedding" and not doc.in_edges(embedding.id)
    assert "Embedding takes long tensors" in window.statusBar().currentMessage()
    assert not overlaps(window)
    assert window.editor.undo_stack.count() == count + 2


def test_a_palette_double_click_with_nothing_selected_adds_in_free_space(window, example):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    window.view.centerOn(node_center(window, "pool2"))
    double_click_in_palette(window, "relu")
    added = doc.nodes()[-1]
    assert added.kind == "relu" and not doc.in_edges(added.id)
    assert not overlaps(window)
