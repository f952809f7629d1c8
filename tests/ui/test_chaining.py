"""Chaining layers from the palette after the selected node, and dropping layers into wires."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QPointF, Qt

from designer.model.layout import one_layer_on
from tests.ui.gestures import (
    click,
    double_click_in_palette,
    drag_layer_over,
    drop_layer,
    key,
    type_into,
)
from tests.ui.test_placement import node_center, overlaps

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def sources_of(doc, node_id: str) -> list[str]:
    return [doc.node(edge.source).name for edge in doc.in_edges(node_id)]


def wire_between(window, source: str, target: str):
    doc = window.editor.doc
    source_id, target_id = doc.find(source).id, doc.find(target).id
    return next(
        item
        for item in window.scene.edge_items.values()
        if item.source.node_id == source_id and item.target.node_id == target_id
    )


def test_three_double_clicks_chain_three_wired_layers_and_undo_takes_the_last(window):
    window.new_project()
    drop_layer(window, "input", QPointF(0, 0))
    doc = window.editor.doc
    (start,) = doc.nodes()
    click(window.view, node_center(window, start.name))
    for kind in ("conv2d", "relu", "maxpool2d"):
        double_click_in_palette(window, kind)
    conv, relu, pool = doc.nodes()[1:]
    assert [conv.kind, relu.kind, pool.kind] == ["conv2d", "relu", "maxpool2d"]
    assert sources_of(doc, conv.id) == [start.name]
    assert sources_of(doc, relu.id) == [conv.name]
    assert sources_of(doc, pool.id) == [relu.name]
    xs = [node.position[0] for node in (start, conv, relu, pool)]
    assert xs == sorted(xs) and len(set(xs)) == 4  # one after the other, to the right
    assert {node.position[1] for node in (start, conv, relu, pool)} == {start.position[1]}
    assert not overlaps(window)
    assert window.scene.selected_node_ids() == [pool.id]
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert [node.kind for node in doc.nodes()] == ["input", "conv2d", "relu"]
    assert sources_of(doc, relu.id) == [conv.name] and len(doc.edges()) == 2


def test_enter_in_the_palette_chains_too(window):
    window.new_project()
    drop_layer(window, "input", QPointF(0, 0))
    doc = window.editor.doc
    tree = window.palette.tree
    tree.setFocus()
    tree.setCurrentItem(window.palette.item_for("dense"))
    key(tree, Qt.Key.Key_Return)
    type_into(window.palette.search, "relu")  # Enter in the search box takes the first match
    first, dense, relu = doc.nodes()
    assert (dense.kind, relu.kind) == ("dense", "relu")
    assert sources_of(doc, dense.id) == [first.name]
    assert sources_of(doc, relu.id) == [dense.name]
    assert window.editor.undo_stack.count() == 3


def test_adding_after_a_node_that_feeds_others_splices_the_new_layer_in(window, example):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    before = window.editor.undo_stack.count()
    click(window.view, node_center(window, "relu3"))
    double_click_in_palette(window, "dropout")
    dropout = doc.nodes()[-1]
    assert sources_of(doc, dropout.id) == ["relu3"]
    assert sources_of(doc, doc.find("fc2").id) == [dropout.name]
    assert window.editor.report.ok and window.editor.report.total_params == 61_706
    assert not overlaps(window)
    assert window.editor.undo_stack.count() == before + 1
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert sources_of(doc, doc.find("fc2").id) == ["relu3"]
    assert dropout.id not in doc


def test_a_layer_that_does_not_fit_the_shape_is_wired_and_diagnosed(window, example):
    """As a hand-drawn wire: Dense after 16x5x5 turns red and offers the Flatten fix."""
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    click(window.view, node_center(window, "pool2"))
    double_click_in_palette(window, "dense")
    dense = doc.nodes()[-1]
    assert sources_of(doc, dense.id) == ["pool2"]
    (error,) = window.editor.report.nodes[dense.id].diagnostics
    assert error.fix is not None and error.fix.args["kind"] == "flatten"


def test_a_chain_laid_out_top_to_bottom_grows_downwards(window, example):
    window.open_file(example("mlp_iris"))
    key(window.view, Qt.Key.Key_L, CTRL | SHIFT)
    doc = window.editor.doc
    last = doc.find("logits")
    before = next(edge.source for edge in doc.in_edges(last.id))
    click(window.view, node_center(window, doc.node(before).name))
    double_click_in_palette(window, "dropout")
    dropout = doc.nodes()[-1]
    x, y = doc.node(before).position
    assert dropout.position[0] == x and dropout.position[1] > y
    assert not overlaps(window)


def test_layers_chained_in_a_top_to_bottom_graph_are_wired_straight_down(window):
    """The graph's flow, not the lone Input's lack of wires, says which way the chain grows."""
    window.new_project()
    drop_layer(window, "input", QPointF(0, 0))
    key(window.view, Qt.Key.Key_L, CTRL | SHIFT)
    doc = window.editor.doc
    (start,) = doc.nodes()
    click(window.view, node_center(window, start.name))
    for kind in ("dense", "relu", "dense"):
        double_click_in_palette(window, kind)
    chain = doc.nodes()
    assert [sources_of(doc, node.id) for node in chain[1:]] == [[n.name] for n in chain[:-1]]
    for before, after in pairwise(chain):
        assert after.position == one_layer_on("down", before.position)
    for edge in window.scene.edge_items.values():
        top, bottom = edge.source.scenePos(), edge.target.scenePos()
        assert top.x() == bottom.x() and top.y() < bottom.y()
    assert not overlaps(window)


def test_a_layer_dropped_on_a_wire_is_spliced_in_and_undo_restores_the_wire(window, example):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    wire = wire_between(window, "relu3", "fc2")
    old_edge = doc.edge(wire.edge_id)
    middle = wire.path().pointAtPercent(0.5)
    drag_layer_over(window, "dropout", middle)
    assert wire.hovered  # highlighted while the layer is over it
    fc2_was = doc.find("fc2").position
    drop_layer(window, "dropout", middle)
    assert not wire.hovered
    dropout = doc.nodes()[-1]
    assert dropout.kind == "dropout"
    assert dropout.position == fc2_was  # in line: fc2 and the layers after it moved on
    assert doc.find("fc2").position == one_layer_on("right", fc2_was)
    assert sources_of(doc, dropout.id) == ["relu3"]
    assert sources_of(doc, doc.find("fc2").id) == [dropout.name]
    assert not doc.has_edge(old_edge.id)
    assert window.editor.report.ok and not overlaps(window)
    assert window.scene.selected_node_ids() == [dropout.id]
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert doc.edge(old_edge.id) == old_edge and dropout.id not in doc
    assert doc.find("fc2").position == fc2_was
    assert old_edge.id in window.scene.edge_items


def test_a_layer_that_cannot_take_the_wire_is_not_spliced_and_says_why(window, example):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    wire = wire_between(window, "relu3", "fc2")
    middle = wire.path().pointAtPercent(0.5)
    drag_layer_over(window, "embedding", middle)
    assert not wire.hovered  # an Embedding takes token ids; this wire carries floats
    drop_layer(window, "embedding", middle)
    embedding = doc.nodes()[-1]
    assert embedding.kind == "embedding" and not doc.in_edges(embedding.id)
    assert doc.has_edge(wire.edge_id)
    assert "Embedding takes long tensors" in window.statusBar().currentMessage()


def test_a_layer_dropped_away_from_wires_is_only_added(window, example):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    edges = len(doc.edges())
    corner = window.scene.itemsBoundingRect().bottomRight() + QPointF(300, 300)
    drop_layer(window, "dropout", corner)
    assert doc.nodes()[-1].kind == "dropout" and len(doc.edges()) == edges


def test_a_block_from_the_palette_chains_after_the_selected_node_too(window, example):
    window.open_file(example("resnet_digits_blocks"))
    doc = window.editor.doc
    first = next(node for node in doc.nodes() if node.kind == "input")
    block = next(iter(doc.blocks)).name
    click(window.view, node_center(window, first.name))
    double_click_in_palette(window, f"block:{block}")
    added = doc.nodes()[-1]
    assert added.kind == "block" and added.params["block"] == block
    assert sources_of(doc, added.id) == [first.name]
    assert window.scene.selected_node_ids() == [added.id]
    assert not overlaps(window)
