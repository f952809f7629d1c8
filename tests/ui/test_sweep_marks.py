"""Marking a param as swept from the inspector: the Sweep dialog's OK is one undoable edit of
the project's sweep section, the canvas tags the node, and a wrong value is named."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.project import load_project
from tests.ui.gestures import click

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier


def select(window, name: str) -> str:
    """Click the node named `name` on the canvas; its id."""
    node = next(node for node in window.editor.doc.nodes() if node.name == name)
    item = window.scene.node_items[node.id]
    click(window.view, item.sceneBoundingRect().center())
    assert window.inspector.node_id == node.id
    return node.id


def open_sweep_dialog(window, param: str):
    button = window.inspector.sweep_buttons[param]
    QTest.mouseClick(button, LEFT)
    dialog = button.dialog
    assert dialog.isVisible()
    return dialog


def type_text(field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, text)


def test_marking_a_param_swept_is_one_undoable_step_shown_on_the_canvas(window, example, tmp_path):
    window.open_file(example("mlp_iris"))
    node_id = select(window, "hidden1")
    before = dict(window.editor.project.sweep)
    dialog = open_sweep_dialog(window, "units")
    type_text(dialog.choices, "8, 16, 32")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    entry = {"node": node_id, "param": "units", "choices": [8, 16, 32]}
    assert window.editor.project.sweep == {"params": [entry]}
    assert window.scene.node_items[node_id].swept
    assert window.inspector.sweep_buttons["units"].isChecked()
    saved = tmp_path / "swept.json"
    window.write(saved)
    assert load_project(saved).sweep == {"params": [entry]}

    QTest.keyClick(window, Qt.Key.Key_Z, CTRL)
    QApplication.processEvents()
    assert window.editor.project.sweep == before
    assert not window.scene.node_items[node_id].swept
    assert not window.inspector.sweep_buttons["units"].isChecked()


def test_a_range_is_checked_and_sweeping_stops_as_one_step(window, example):
    window.open_file(example("mlp_iris"))
    node_id = select(window, "hidden1")
    dialog = open_sweep_dialog(window, "units")
    type_text(dialog.low, "64")
    type_text(dialog.high, "8")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert dialog.isVisible()
    assert "Low (64) must be below high (8)" in dialog.message.text()
    type_text(dialog.low, "four")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert "'four' is not a whole number" in dialog.message.text()
    type_text(dialog.low, "4")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    entry = {"node": node_id, "param": "units", "low": 4, "high": 8}
    assert window.editor.project.sweep == {"params": [entry]}

    dialog = open_sweep_dialog(window, "units")
    assert (dialog.low.text(), dialog.high.text()) == ("4", "8")
    QTest.mouseClick(dialog.stop_button, LEFT)
    assert window.editor.project.sweep == {}
    assert not window.scene.node_items[node_id].swept
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert window.editor.project.sweep == {"params": [entry]}
    assert window.scene.node_items[node_id].swept


def test_a_training_setting_is_marked_swept_from_the_settings_dialog(window, example, tmp_path):
    from designer.ui.sweep_button import SweepButton
    from tests.ui.test_training_panel import open_copy
    from tests.ui.test_training_settings import open_settings

    panel = open_copy(window, example, tmp_path)
    settings = open_settings(panel)

    def sweep_button(place: str):
        return settings.field(place).widget.parentWidget().findChild(SweepButton)

    button = sweep_button("training.optimizer.lr")
    assert button.param == "optimizer.lr"
    assert sweep_button("training.epochs").param == "epochs"
    QTest.mouseClick(button, LEFT)
    dialog = button.dialog
    type_text(dialog.low, "0.001")
    type_text(dialog.high, "0.1")
    QTest.mouseClick(dialog.log, LEFT)
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible() and settings.isVisible()
    entry = {"training": "optimizer.lr", "low": 0.001, "high": 0.1, "log": True}
    assert window.editor.project.sweep == {"params": [entry]}
    assert button.isChecked()
    settings.reject()
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert window.editor.project.sweep == {}


def test_a_block_instance_sweeps_its_exposed_params_and_repeat(window, example):
    window.open_file(example("resnet_digits_blocks"))
    node_id = select(window, "block1")
    buttons = window.inspector.sweep_buttons
    assert {"channels", "repeat"} <= set(buttons) and "block" not in buttons
    dialog = open_sweep_dialog(window, "repeat")
    type_text(dialog.choices, "1, 2, 3")
    QTest.mouseClick(dialog.ok_button, LEFT)
    entry = {"node": node_id, "param": "repeat", "choices": [1, 2, 3]}
    assert window.editor.project.sweep["params"][-1] == entry
    assert window.scene.node_items[node_id].swept
