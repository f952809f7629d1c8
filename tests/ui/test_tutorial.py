"""The README's five-minute tutorial, step by step with real mouse and key events: File > New
to a trained LeNet-5 of 61,706 parameters and an exported script that trains it again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QTabBar

from designer.training.events import EpochDone, RunFinished
from designer.ui.export_dialog import ExportDialog
from tests.ui.gestures import double_click_in_palette, drop_layer, key, type_into
from tests.ui.test_export_import import EXPORT_TIMEOUT, tick, wait_for_preview
from tests.ui.test_training_panel import RUN_TIMEOUT, record
from tests.ui.test_training_settings import choose, type_number

pytestmark = pytest.mark.slow

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton


def shoot(widget, folder: Path, name: str) -> None:
    """A screenshot of a window at a step, to look at (in the test's tmp_path/shots)."""
    QApplication.processEvents()
    (folder / "shots").mkdir(exist_ok=True)
    widget.grab().save(str(folder / "shots" / f"{name}.png"))


def selected(window):
    (node_id,) = window.scene.selected_node_ids()
    return window.editor.doc.node(node_id)


def set_param(window, name: str, text: str) -> None:
    """Type a value into the inspector's field for the selected layer's `name`."""
    type_into(window.inspector.editors[name].widget, text)


def shape_of(window, node) -> str:
    return str(window.editor.report.nodes[node.id].output)


def chain(window, kind: str, **params: str) -> object:
    """Double-click `kind` in Layers (it follows the selected node) and set its params."""
    before = selected(window)
    double_click_in_palette(window, kind)
    node = selected(window)
    assert node.kind == kind and node is not before
    assert [edge.source for edge in window.editor.doc.in_edges(node.id)] == [before.id]
    view = window.view
    on_screen = view.mapFromScene(window.scene.node_items[node.id].sceneBoundingRect())
    assert view.viewport().rect().contains(on_screen.boundingRect())  # the chain grows in view
    for name, text in params.items():
        set_param(window, name, text)
    return node


def click_dock_tab(window, title: str) -> None:
    bar = next(
        bar
        for bar in window.findChildren(QTabBar)
        if any(bar.tabText(i) == title for i in range(bar.count()))
    )
    index = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    QTest.mouseClick(bar, LEFT, pos=bar.tabRect(index).center())


def answer_save_dialog(name: str) -> None:
    """Once the save dialog is open (in the working folder), type the file's name into it and
    press Enter; a dialog that stays open after that is cancelled, to fail and not hang."""

    def type_name() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(50, type_name)
            return
        field = dialog.findChild(QLineEdit, "fileNameEdit")
        field.selectAll()
        QTest.keyClicks(field, name)
        QTest.keyClick(field, Qt.Key.Key_Return)
        if dialog.isVisible():
            dialog.reject()

    QTimer.singleShot(0, type_name)


def window_manager_activates(window, qtbot) -> None:
    """A closed dialog's parent window becomes active again, as the window manager makes it
    (the offscreen platform leaves no window active, and shortcuts need one)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def draw_lenet5(window, folder: Path) -> None:
    """Steps 1 to 5: File > New, an Input, the chain by double-clicks, the Flatten by Fix."""
    key(window, Qt.Key.Key_N, CTRL)  # File > New
    doc = window.editor.doc
    assert doc.nodes() == []
    drop_layer(window, "input", QPointF(0, 0))
    image = selected(window)
    assert image.kind == "input"
    set_param(window, "shape", "1, 32, 32")
    assert doc.node(image.id).params["shape"] == (1, 32, 32)
    conv1 = chain(window, "conv2d", filters="6", kernel_size="5")
    relu1 = chain(window, "relu")
    pool1 = chain(window, "maxpool2d", kernel_size="2")
    conv2 = chain(window, "conv2d", filters="16", kernel_size="5")
    relu2 = chain(window, "relu")
    pool2 = chain(window, "maxpool2d")
    shapes = [shape_of(window, node) for node in (conv1, relu1, pool1, conv2, relu2, pool2)]
    assert shapes == ["6x28x28", "6x28x28", "6x14x14", "16x10x10", "16x10x10", "16x5x5"]
    fc1 = chain(window, "dense", units="120")
    assert window.editor.report.nodes[fc1.id].has_errors  # a vector wanted, 16x5x5 given
    shoot(window, folder, "4_dense_red")
    tree = window.problems.tree
    rows = [tree.topLevelItem(index) for index in range(tree.topLevelItemCount())]
    (fix,) = [tree.itemWidget(row, 1) for row in rows if tree.itemWidget(row, 1) is not None]
    assert fix.text() == "Insert Flatten before Dense 'dense1'"
    QTest.mouseClick(fix, LEFT)
    flatten = next(node for node in doc.nodes() if node.kind == "flatten")
    assert [edge.source for edge in doc.in_edges(flatten.id)] == [pool2.id]
    assert shape_of(window, fc1) == "120"
    assert selected(window).id == fc1.id  # the chain goes on after it
    chain(window, "relu")
    chain(window, "dense", units="84")
    chain(window, "relu")
    chain(window, "dense", units="10")
    chain(window, "output")
    key(window.view, Qt.Key.Key_L, CTRL)
    assert "Parameters 61,706 " in window.status_totals.text()
    assert window.status_valid.text() == "\u2714 valid"
    shoot(window, folder, "5_lenet5")


def save_and_set_up(window, qtbot, folder: Path) -> None:
    """Step 6: Ctrl+S as lenet5.json; Settings... takes the digits at 32x32, the automatic
    loss, Adam and (to be quick) two epochs."""
    answer_save_dialog("lenet5.json")
    key(window, Qt.Key.Key_S, CTRL)
    window_manager_activates(window, qtbot)
    assert (folder / "lenet5.json").is_file() and window.editor.project.name == "lenet5"
    click_dock_tab(window, "Training")
    panel = window.train_panel
    assert panel.isVisible()
    QTest.mouseClick(panel.settings_button, LEFT)
    dialog = panel.settings_dialog
    assert dialog.isVisible()
    choose(dialog, "dataset.source", "digits")
    type_number(dialog, "dataset.image_size", "32")
    assert dialog.field("training.loss").value() == "auto"
    assert dialog.field("training.optimizer.name").value() == "adam"
    type_number(dialog, "training.epochs", "2")
    shoot(dialog, folder, "6_settings")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    window_manager_activates(window, qtbot)
    project = window.editor.project
    assert (project.dataset["source"], project.dataset["image_size"]) == ("digits", 32)
    assert (project.training["epochs"], panel.epochs.value()) == (2, 2)


def train(window, qtbot, folder: Path) -> None:
    """Step 7: Start, and the run goes to its end with plots and live layer values."""
    panel = window.train_panel
    events = record(panel)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.start_button, LEFT)
    epochs = [event for event in events if isinstance(event, EpochDone)]
    (finished,) = [event for event in events if isinstance(event, RunFinished)]
    assert finished.reason == "completed" and len(epochs) == 2
    assert panel.status.text().startswith("Finished (completed)")
    accuracy = [epoch.val["accuracy"] for epoch in epochs]
    assert list(panel.metric_plot.series["val"].view()[1]) == accuracy
    assert accuracy[-1] > 0.5  # ten classes: far above chance after two epochs
    assert panel.confusion_plot.matrix.tolist() == epochs[-1].confusion
    conv1 = window.editor.doc.find("conv2d1")
    assert window.scene.node_items[conv1.id].live is not None
    shoot(window, folder, "7_trained")


def export_and_run(window, qtbot, folder: Path) -> None:
    """Step 8: Ctrl+E, the full script with the run's weights and ONNX; the script trains."""
    key(window, Qt.Key.Key_E, CTRL)
    export = window.findChild(ExportDialog)
    qtbot.waitExposed(export)
    wait_for_preview(export, qtbot)
    assert export.full_script.isChecked()
    tick(export.weights)
    tick(export.onnx)
    wait_for_preview(export, qtbot)
    shoot(export, folder, "8_export")
    with qtbot.waitSignal(export.finished_writing, timeout=EXPORT_TIMEOUT):
        QTest.mouseClick(export.export_button, LEFT)
    assert "Not exported" not in export.log.text()
    assert "onnxruntime matches torch" in export.log.text()
    for name in ("lenet5.py", "lenet5.safetensors", "lenet5.onnx"):
        assert (folder / name).stat().st_size > 0
    script = subprocess.run(
        [sys.executable, "lenet5.py", "--epochs", "1"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert script.returncode == 0, script.stderr
    assert "epoch 1/1 train_loss=" in script.stdout and "val_accuracy=" in script.stdout
    assert (folder / "checkpoints" / "metrics.json").is_file()


def test_the_readme_tutorial_builds_trains_and_exports_lenet5(window, tmp_path, qtbot, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where the save dialog opens
    draw_lenet5(window, tmp_path)
    save_and_set_up(window, qtbot, tmp_path)
    train(window, qtbot, tmp_path)
    export_and_run(window, qtbot, tmp_path)
