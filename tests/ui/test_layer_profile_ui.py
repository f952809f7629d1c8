"""Profile Layers by its toolbar button: the layers coloured by their time with the time on
each, a block's the sum of its inside (and its inner layers on its own canvas), a table
slowest first, the step's total in the status bar; no undo entry; cleared by a click or an
edit of the network."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from designer.ui.layer_profiling import NO_DATASET
from nodes.block import BLOCK_KIND
from tests.ui.gestures import click, double_click

LEFT = Qt.MouseButton.LeftButton
WAIT_MS = 50_000


def press(window, action) -> None:
    """Click `action`'s button on the toolbar."""
    button = window.profiling.toolbar.widgetForAction(action)
    assert button.isVisible() and button.isEnabled()
    QTest.mouseClick(button, LEFT)


def profile_by_click(window, qtbot):
    press(window, window.profiling.profile_action)
    assert not window.profiling.profile_action.isEnabled()  # measuring, in a thread
    qtbot.waitUntil(lambda: window.profiling.profile is not None, timeout=WAIT_MS)
    return window.profiling.profile


def milliseconds(text: str) -> float:
    return float(text.split(" ms")[0])


@pytest.fixture
def blocks_project(tmp_path):
    from designer.project.examples import copy_example

    return copy_example("resnet_digits_blocks", tmp_path)


def test_a_heat_map_with_the_times_a_table_and_the_step_in_the_status_bar(
    window, blocks_project, qtbot
):
    window.open_file(blocks_project)
    editor = window.editor
    saved = blocks_project.read_bytes()
    profile = profile_by_click(window, qtbot)
    assert profile.batch_size == window.train_panel.batch_size.value()

    items = window.scene.node_items
    layers = {layer.node: layer for layer in profile.layers if layer.node is not None}
    assert layers and set(layers) == {node for node, item in items.items() if item.heat}
    slowest = max(layer.time for layer in layers.values())
    for node, layer in layers.items():
        heat = items[node].heat
        assert milliseconds(heat.text) == pytest.approx(layer.time * 1e3, abs=0.006)
        assert heat.share == pytest.approx(layer.time / slowest)
        if editor.doc.node(node).kind == BLOCK_KIND:  # a block adds up its inside
            assert layer.inner and layer.time >= sum(inner.time for inner in layer.inner)
    message = window.statusBar().currentMessage()
    assert f"one training step {profile.step * 1e3:.2f} ms" in message

    tree = window.profiling.tree
    assert window.profiling.dock.isVisible()
    rows = [tree.topLevelItem(index) for index in range(tree.topLevelItemCount())]
    layer_rows = rows[: len(profile.layers)]
    times = [float(row.text(4)) for row in layer_rows]
    assert times == sorted(times, reverse=True)
    assert rows[-1].text(0) == "total (one step)"
    assert rows[-1].text(4) == f"{profile.step * 1e3:.3f}"
    block_row = next(row for row in layer_rows if row.text(0) == "block1")
    assert block_row.childCount() == len(layers[editor.doc.find("block1").id].inner)

    # A view state: nothing to undo, nothing changed in the project.
    assert editor.undo_stack.count() == 0 and not editor.modified
    assert blocks_project.read_bytes() == saved

    stem = next(row for row in layer_rows if row.text(0) == "stem_conv")
    QTest.mouseClick(tree.viewport(), LEFT, pos=tree.visualItemRect(stem).center())
    assert [item.node_id for item in window.scene.selectedItems()] == [
        editor.doc.find("stem_conv").id
    ]

    press(window, window.profiling.clear_action)
    assert not any(item.heat for item in items.values())


def test_a_blocks_canvas_shows_its_layers_and_an_edit_clears_the_map(window, blocks_project, qtbot):
    window.open_file(blocks_project)
    profile = profile_by_click(window, qtbot)
    block = window.editor.doc.find("block1")
    double_click(window.view, window.scene.node_items[block.id].sceneBoundingRect().center())
    qtbot.waitUntil(lambda: window.tabs.current.block == "ResidualBlock")
    inner_items = window.scene.node_items
    instance = next(layer for layer in profile.layers if layer.node == block.id)
    instances = [
        layer
        for layer in profile.layers
        if layer.node and window.editor.doc.node(layer.node).params.get("block") == "ResidualBlock"
    ]
    inner_doc = window.current_editor.doc
    for inner in instance.inner:
        name = inner.path.split(".")[-1]
        node = next(node for node in inner_doc.nodes() if node.name == name)
        summed = sum(
            each.time
            for layer in instances
            for each in layer.inner
            if each.path.endswith(f".{name}")
        )
        assert milliseconds(inner_items[node.id].heat.text) == pytest.approx(
            summed * 1e3, abs=0.006
        )

    window.tabs.show_canvas(window.tabs.main)
    main_items = window.scene.node_items
    assert main_items[block.id].heat is not None
    relu = window.editor.doc.find("stem_relu")
    click(window.view, main_items[relu.id].sceneBoundingRect().center())
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert relu.id not in window.editor.doc
    assert not any(item.heat for item in main_items.values())  # measured of another network


def test_without_a_dataset_the_status_bar_says_what_to_do(window, qtbot):
    window.new_project()
    press(window, window.profiling.profile_action)
    assert window.statusBar().currentMessage() == NO_DATASET
    assert window.profiling.task is None and window.profiling.profile_action.isEnabled()
    assert not window.profiling.dock.isVisible()
