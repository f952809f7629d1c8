"""Blocks between projects in the window: copy and paste carry them; the user's library keeps
them for any project."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from designer.project.files import project_to_dict
from tests.ui.gestures import click, key

CTRL = Qt.KeyboardModifier.ControlModifier


def select(window, *names: str) -> None:
    window.scene.select_nodes([window.current_editor.doc.find(name).id for name in names])


def test_ctrl_c_then_ctrl_v_in_another_project_brings_the_block_along(window, example):
    window.open_file(example("resnet_digits_blocks"))
    select(window, "block2")
    key(window.view, Qt.Key.Key_C, CTRL)
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    before = project_to_dict(window.editor.project)
    key(window.view, Qt.Key.Key_V, CTRL)
    (added,) = window.scene.selected_node_ids()
    assert doc.node(added).params["block"] == "DownsampleBlock"
    assert "DownsampleBlock" in doc.blocks
    assert window.palette.item_for("block:DownsampleBlock") is not None
    assert window.editor.undo_stack.count() == 1  # blocks and layers: one step
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert project_to_dict(window.editor.project) == before and "DownsampleBlock" not in doc.blocks


def test_save_a_block_to_the_library_and_add_it_to_another_project(window, example, monkeypatch):
    window.open_file(example("resnet_digits_blocks"))
    window.save_block_action.trigger()
    assert "Select a block instance" in window.statusBar().currentMessage()
    item = window.scene.node_items[window.editor.doc.find("block1").id]
    click(window.view, item.sceneBoundingRect().center())
    window.save_block_action.trigger()
    assert "Saved the block ResidualBlock" in window.statusBar().currentMessage()
    window.tabs.open_block("DownsampleBlock")
    window.save_block_action.trigger()  # the block whose tab is shown
    assert "Saved the block DownsampleBlock" in window.statusBar().currentMessage()
    asked = []
    monkeypatch.setattr(
        "designer.ui.user_blocks.QMessageBox.question",
        lambda *args: asked.append(args[2]) or QMessageBox.StandardButton.Cancel,
    )
    window.save_block_action.trigger()
    assert "already has DownsampleBlock" in asked[0]
    window.open_file(example("mlp_iris"))
    window.library_menu.aboutToShow.emit()
    titles = [action.text() for action in window.library_menu.actions()]
    assert titles == ["DownsampleBlock", "ResidualBlock"]
    window.library_menu.actions()[1].trigger()
    doc = window.editor.doc
    assert "ResidualBlock" in doc.blocks and window.palette.item_for("block:ResidualBlock")
    assert "is in the Layers palette" in window.statusBar().currentMessage()
    window.editor.undo()
    assert "ResidualBlock" not in doc.blocks


def test_an_empty_library_says_so(window, example):
    window.open_file(example("mlp_iris"))
    window.library_menu.aboutToShow.emit()
    (only,) = window.library_menu.actions()
    assert only.text() == "No saved blocks yet" and not only.isEnabled()
