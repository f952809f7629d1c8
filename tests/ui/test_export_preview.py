"""The Export dialog builds its preview in a background thread: the window keeps answering
while a slow script is prepared, results for older choices are dropped, and a failure becomes
a message in the preview."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from designer.export import bundle
from designer.project import load_project
from designer.ui.export_dialog import ExportDialog
from tests.ui.test_export_import import open_copy, press_export, tick, wait_for_preview

BUILDING = "# Building preview\u2026"
BEATS = 20  # heartbeat ticks the event loop must run while the full script is held back
GATE_SECONDS = 30  # a build held in the GUI thread gives up after this, and the test fails


def hold_full_scripts(monkeypatch) -> threading.Event:
    """Full scripts wait for the returned gate before they are built; model-only ones don't."""
    gate = threading.Event()
    build = bundle.script_source

    def held(project, model_only):
        if not model_only:
            gate.wait(GATE_SECONDS)
        return build(project, model_only)

    monkeypatch.setattr(bundle, "script_source", held)
    return gate


def open_export(window, qtbot) -> ExportDialog:
    """Ctrl+E, without waiting for the preview."""
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_the_window_answers_while_a_slow_preview_is_built(
    window, example, tmp_path, qtbot, monkeypatch
):
    gate = hold_full_scripts(monkeypatch)
    path = open_copy(window, example, tmp_path)
    building_ticks: list[int] = []

    def beat() -> None:
        dialog = window.findChild(ExportDialog)
        if dialog is not None and dialog.preview.toPlainText() == BUILDING:
            building_ticks.append(len(building_ticks))
            if len(building_ticks) == BEATS:
                gate.set()  # the event loop ran BEATS ticks while the script was held

    heartbeat = QTimer(interval=10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    dialog = open_export(window, qtbot)
    wait_for_preview(dialog, qtbot)
    heartbeat.stop()
    assert len(building_ticks) >= BEATS
    project = load_project(path)
    assert dialog.preview.toPlainText() == bundle.script_source(project, model_only=False)
    assert dialog.export_button.isEnabled()


def test_a_preview_for_an_older_choice_is_dropped(window, example, tmp_path, qtbot, monkeypatch):
    gate = hold_full_scripts(monkeypatch)
    path = open_copy(window, example, tmp_path)
    dialog = open_export(window, qtbot)
    shown: list[str] = []
    dialog.previews.built.connect(lambda text, _ok: shown.append(text))
    tick(dialog.model_only)
    tick(dialog.full_script)
    tick(dialog.model_only)
    assert dialog.preview.toPlainText() == BUILDING
    assert not dialog.export_button.isEnabled()
    gate.set()
    wait_for_preview(dialog, qtbot)
    model_source = bundle.script_source(load_project(path), model_only=True)
    assert shown == [model_source]  # the held full script came back too late to be shown
    assert dialog.preview.toPlainText() == model_source
    assert dialog.export_button.isEnabled()


def test_a_failing_preview_is_a_message_in_the_dialog(
    window, example, tmp_path, qtbot, monkeypatch
):
    def broken(project, model_only):
        raise RuntimeError("the disk is on fire\nand the fan stopped")

    monkeypatch.setattr(bundle, "script_source", broken)
    open_copy(window, example, tmp_path)
    dialog = press_export(window, qtbot)
    assert dialog.preview.toPlainText() == (
        "# Cannot write this script:\n# RuntimeError: the disk is on fire\n# and the fan stopped"
    )
    assert not dialog.export_button.isEnabled()


def test_closing_the_dialog_mid_build_lets_the_build_end_on_its_own(
    window, example, tmp_path, qtbot, monkeypatch
):
    from designer.ui import export_preview

    gate = hold_full_scripts(monkeypatch)
    open_copy(window, example, tmp_path)
    dialog = open_export(window, qtbot)
    with qtbot.waitSignal(dialog.destroyed):
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert export_preview.RUNNING  # the held build outlives its dialog
    gate.set()
    qtbot.waitUntil(lambda: not export_preview.RUNNING)
