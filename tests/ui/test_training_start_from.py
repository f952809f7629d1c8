"""Load Best Weights in the Runs tab: the next run starts from a run's best checkpoint; the
choice shows in the panel, clears, undoes, and a missing run stops the start with a message."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from tests.ui.gestures import key
from tests.ui.test_training_panel import RUN_TIMEOUT, open_copy, open_tab

CTRL = Qt.KeyboardModifier.ControlModifier


def click(widget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def select_row(tree, row: int) -> None:
    item = tree.topLevelItem(row)
    QTest.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center()
    )
    assert tree.selectedItems() == [item]


def run_once(panel, qtbot) -> None:
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        click(panel.start_button)


def test_load_best_weights_starts_the_next_run_from_the_selected_run(
    window, example, tmp_path, qtbot, monkeypatch
):
    panel = open_copy(window, example, tmp_path)
    project = window.editor.project
    panel.epochs.setValue(1)
    run_once(panel, qtbot)
    open_tab(panel, panel.runs)
    select_row(panel.runs.tree, 0)
    first = panel.runs.selected_run()
    assert not panel.start_from.isVisibleTo(panel)

    click(panel.runs.start_from_button)
    assert project.training["init_from"] == first.id
    assert panel.start_from.isVisibleTo(panel)
    assert panel.start_from.label.text() == f"Starts from run {first.id}'s best weights"
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert "init_from" not in window.editor.project.training
    assert not panel.start_from.isVisibleTo(panel)
    key(window.view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert window.editor.project.training["init_from"] == first.id

    run_once(panel, qtbot)
    assert panel.status.text().startswith("Finished ("), panel.message.text()
    runs = sorted((tmp_path / "runs" / "mlp_iris").iterdir())
    second = json.loads((runs[-1] / "config.json").read_text())
    assert second["started_from"] == str(first.checkpoint("best"))
    assert second["training"]["init_from"] == first.id

    click(panel.start_from.clear_button)
    assert "init_from" not in window.editor.project.training
    assert not panel.start_from.isVisibleTo(panel)
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert window.editor.project.training["init_from"] == first.id

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.refresh_runs()
    rows = [panel.runs.tree.topLevelItem(i) for i in range(panel.runs.tree.topLevelItemCount())]
    ids = [item.data(0, Qt.ItemDataRole.UserRole).id for item in rows]
    select_row(panel.runs.tree, ids.index(first.id))
    click(panel.runs.delete_button)
    run_once(panel, qtbot)
    assert panel.status.text() == "Failed"
    assert panel.message.text().startswith(
        f"training.init_from: the run '{first.id}' to start from is not among this project's runs"
    )
