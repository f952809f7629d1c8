"""The window writes only over regular files: Save As onto a device, a FIFO, a folder or a link
to a device shows the usual "Cannot save" message, the project stays unsaved and intact, and
the special file stays as it was; the Export dialog names a run's file it would replace and
refuses an export folder that is a device."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from designer.runtime.checkpoints import save_checkpoint
from designer.training import new_run
from tests.output_target_helpers import listing, make_special, open_reader
from tests.ui.test_export_import import click_export, press_export

LEFT = Qt.MouseButton.LeftButton


def answer_save_dialog(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("device", "is a character device, not a file"),
        ("fifo", "is a FIFO (named pipe), not a file"),
        ("folder", "is a folder, not a file"),
        ("link", "leads to {device}, a character device, not a file"),
    ],
)
def test_save_as_onto_a_special_file_shows_why_and_keeps_the_project(
    window, example, tmp_path, monkeypatch, kind, words
):
    original = tmp_path / "mlp_iris.json"
    shutil.copy(example("mlp_iris"), original)
    window.open_file(original)
    window.editor.set_param(window.editor.doc.find("hidden1").id, "units", 8)
    device = make_special(tmp_path / "null", "device")
    if kind == "link":
        target = tmp_path / "link.json"
        target.symlink_to(device)
    else:
        target = make_special(tmp_path / "target.json", kind)
    before = listing(tmp_path)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[1:3]))
    answer_save_dialog(monkeypatch, target)
    with open_reader(target) as reader:
        window.save_as_action.trigger()
        assert reader.read() == b""
    message = f"{target}: {words.format(device=device)}: nothing was written"
    assert shown == [("Cannot save", message)]
    assert listing(tmp_path) == before and stat.S_ISCHR(os.lstat(device).st_mode)
    assert window.editor.project.path == original and window.isWindowModified()
    assert window.editor.doc.find("hidden1").params["units"] == 8
    answer_save_dialog(monkeypatch, tmp_path / "saved.json")
    window.save_as_action.trigger()
    assert not window.isWindowModified() and window.editor.project.path == tmp_path / "saved.json"


def test_the_export_dialog_names_a_runs_file_and_refuses_a_device_folder(
    window, example, tmp_path, qtbot, monkeypatch
):
    path = tmp_path / "mlp_iris.json"
    shutil.copy(example("mlp_iris"), path)
    window.open_file(path)
    run = new_run(path)
    run.write_start({"epochs": 1}, {"seed": 0}, "the run's source\n")
    save_checkpoint(run.checkpoint("best"), {"model": {"weight": torch.ones(2)}})
    dialog = press_export(window, qtbot)
    dialog.folder.setText(str(run.root))
    dialog.stem.setText("model")
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer)
    QTest.mouseClick(dialog.export_button, LEFT)
    assert asked == [
        f"These files exist and will be replaced:\nmodel.py (the network source of run {run.id})"
    ]
    assert (run.root / "model.py").read_text() == "the run's source\n"
    device = make_special(tmp_path / "device", "device")
    dialog.folder.setText(str(device))
    QTest.mouseClick(dialog.export_button, LEFT)
    assert dialog.log.text() == (
        f"Not exported: {device}: is a character device, not a folder: nothing was written"
    )
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    fifo = make_special(tmp_path / "pipe.py", "fifo")
    dialog.folder.setText(str(tmp_path))
    dialog.stem.setText("pipe")
    with open_reader(fifo) as reader:
        QTest.mouseClick(dialog.export_button, LEFT)
        assert reader.read() == b""
    assert dialog.log.text().endswith(
        f"Not exported: {fifo}: is a FIFO (named pipe), not a file: nothing was written"
    )
    assert len(asked) == 1 and stat.S_ISFIFO(os.lstat(fifo).st_mode)  # refused before asking
    dialog.stem.setText("model")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.folder.setText(str(run.root))
    click_export(dialog, qtbot)  # the user said yes: the run's source is replaced
    assert "Not exported" not in dialog.log.text()
    assert (run.root / "model.py").read_text(encoding="utf-8") == dialog.preview.toPlainText()
