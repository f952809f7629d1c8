"""The real window in a process of its own: open a project, edit it, wait for the recovery copy.

Run as `python -m tests.ui.crashing_app PROJECT RECOVERY_FOLDER`; prints the edited project's
JSON (one line) once the autosave timer has written the copy, then runs until killed."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer

from designer.project.files import project_to_text
from designer.ui import recovery
from designer.ui.app import application
from designer.ui.main_window import MainWindow


def edit(window: MainWindow) -> None:
    """A param change, a new layer wired in, a rename and a move: four undoable commands."""
    editor = window.editor
    doc = editor.doc
    editor.set_param(doc.find("fc1").id, "units", 100)
    relu = doc.find("relu3")
    wire = doc.out_edges(relu.id)[0]

    def add_dropout(doc):
        dropout = doc.add_node("dropout", "drop", {"p": 0.25}, (500.0, 300.0))
        doc.disconnect(wire.id)
        doc.connect(relu.id, "out", dropout.id, "in")
        doc.connect(dropout.id, "out", wire.target, wire.target_port)

    editor.edit("Add dropout", add_dropout)
    editor.edit("Rename", lambda doc: doc.rename(doc.find("fc2").id, "hidden"))
    editor.edit("Move", lambda doc: doc.move(doc.find("conv1").id, (12.0, 34.0)))


def main(project: str, folder: str) -> None:
    recovery.recovery_folder = lambda: Path(folder)
    app = application()
    window = MainWindow()
    window.show()
    assert window.open_file(Path(project))
    edit(window)
    copy = recovery.recovery_file(Path(project))

    def report_when_written() -> None:
        if copy.exists():
            print(json.dumps(project_to_text(window.editor.project)), flush=True)
        else:
            QTimer.singleShot(50, report_when_written)

    report_when_written()
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:3])
