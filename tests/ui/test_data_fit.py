"""Data the Input node does not take (digits at 8x8 for LeNet-5's 32x32): a warning on the node
while designing, and a failed Start's whole message, naming the field as Settings... shows it."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.project import load_project
from designer.ui import torch_loader as torch_loader_module
from designer.ui.editor import Editor
from designer.ui.torch_loader import TorchLoader
from tests.helpers import PROJECTS
from tests.ui.test_training_panel import RUN_TIMEOUT, open_copy
from tests.ui.test_training_settings import open_settings, type_number

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
HINT = "set \u201cImage size\u201d (in Settings\u2026) to 32, or change the Input shape to 1x8x8"
MISMATCH = (
    "dataset 'digits' gives samples of shape 1x8x8, but Input 'image' expects shape 1x32x32: "
    + HINT
)


def assert_wholly_shown(message, panel) -> None:
    """Every line of the message's wrapped text lies inside the label, and the label inside
    the part of the panel on screen."""
    assert message.isVisible()
    text = message.fontMetrics().boundingRect(
        message.contentsRect(), Qt.TextFlag.TextWordWrap, message.text()
    )
    assert message.contentsRect().contains(text)
    assert message.visibleRegion().boundingRect() == message.rect()
    shown = panel.visibleRegion().boundingRect()
    assert shown.contains(message.geometry()) and panel.rect().contains(message.geometry())


def set_image_size(panel, size: str) -> None:
    """Settings..., Image size, OK: as a user would."""
    dialog = open_settings(panel)
    type_number(dialog, "dataset.image_size", size)
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()


def test_data_the_input_does_not_take_is_a_warning_on_it_while_designing(window, example, tmp_path):
    panel = open_copy(window, example, tmp_path, "lenet5_digits")
    image = window.scene.node_items[window.editor.doc.find("image").id]
    assert image.severity is None
    set_image_size(panel, "8")
    assert image.severity == "warning"
    [warning] = image.report.diagnostics
    assert warning.message == "D" + MISMATCH[1:]
    assert escape(warning.message) in image.toolTip()
    problems = window.problems.tree
    assert [problems.topLevelItem(row).text(0) for row in range(problems.topLevelItemCount())] == [
        warning.message
    ]
    assert window.status_valid.text() == "\u2714 valid"  # the network itself is sound
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert image.severity is None and window.editor.project.dataset["image_size"] == 32
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert image.severity == "warning"


def test_a_failed_start_shows_its_whole_message_naming_the_settings_field(
    window, example, tmp_path, qtbot
):
    panel = open_copy(window, example, tmp_path, "lenet5_digits")
    window.training_dock.raise_()
    qtbot.waitExposed(panel)
    set_image_size(panel, "8")
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.start_button, LEFT)
    assert panel.status.text() == "Failed"
    assert panel.message.text() == f"dataset: {MISMATCH}"
    bar, message = window.statusBar(), panel.message
    for width in (1400, 900):  # one line, then wrapped
        window.resize(width, 900)
        QApplication.processEvents()
        assert_wholly_shown(message, panel)
        assert message.width() > panel.width() - 20  # the panel's width, not a column's
        # The status bar's message ends before its totals begin.
        assert bar.fontMetrics().horizontalAdvance(bar.currentMessage()) < window.status_totals.x()
    assert message.height() >= 2 * message.fontMetrics().height()  # wrapped, not cut


def test_the_data_is_checked_once_its_readers_have_loaded_with_pytorch(qapp, monkeypatch):
    """A window that opens a project before PyTorch is loaded does not wait for the data's
    readers: the Input node's warning comes when they are there."""
    loader = TorchLoader()
    loader._done.clear()  # as at a start before the loading thread has imported torch
    monkeypatch.setattr(torch_loader_module, "LOADER", loader)
    project = load_project(PROJECTS / "lenet5_digits.json")
    project.dataset["image_size"] = 8
    editor = Editor(project)
    image = project.graph.find("image").id
    editor.refresh()
    assert editor.report.nodes[image].diagnostics == ()
    loader._done.set()  # what the loading thread does, then it says so
    shown = []
    editor.analysis_changed.connect(shown.append)
    loader.ready.emit()
    assert len(shown) == 1
    [warning] = editor.report.nodes[image].diagnostics
    assert warning.message == "D" + MISMATCH[1:]
