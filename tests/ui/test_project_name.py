"""The project's name: an untitled project takes its file's name when first saved; Project
Properties renames it, undoably; the file, the code, the export and the summary follow."""

from __future__ import annotations

import json

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from designer.cli import main as cli_main
from tests.ui.gestures import drag, drop_layer, key

CTRL = Qt.KeyboardModifier.ControlModifier


def draw_a_network(window) -> None:
    """File > New, then an Input wired to an Output, with real events."""
    window.new_action.trigger()
    drop_layer(window, "input", QPointF(0, 0))
    drop_layer(window, "output", QPointF(300, 0))
    source, target = (window.scene.node_items[node.id] for node in window.editor.doc.nodes())
    drag(window.view, source.outputs[0].scenePos(), target.inputs[0].scenePos())
    assert len(window.editor.doc.edges()) == 1 and window.editor.report.ok


def save_as(window, monkeypatch, path) -> None:
    """Ctrl+S with the file dialog answered with `path`."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    key(window.view, Qt.Key.Key_S, CTRL)


def names_everywhere(window, path, capsys) -> dict:
    """The name as the file, the generated code, the export dialog and the summary give it."""
    code = window.show_code()
    export = window.export()
    capsys.readouterr()
    assert cli_main(["summary", str(path)]) == 0
    names = {
        "file": json.loads(path.read_text(encoding="utf-8"))["name"],
        "code": next(
            line for line in code.text.toPlainText().splitlines() if line.startswith("class ")
        ),
        "export": export.windowTitle(),
        "summary": capsys.readouterr().out.splitlines()[0],
    }
    code.close()
    export.reject()
    return names


def test_a_new_project_saved_as_lenet_is_named_lenet(window, tmp_path, monkeypatch, capsys):
    draw_a_network(window)
    assert window.editor.project.name == "Untitled"
    path = tmp_path / "lenet.json"
    save_as(window, monkeypatch, path)
    assert window.editor.project.name == "lenet" and not window.isWindowModified()
    assert names_everywhere(window, path, capsys) == {
        "file": "lenet",
        "code": "class Lenet(nn.Module):",
        "export": "Export \u2014 lenet",
        "summary": "lenet",
    }
    save_as(window, monkeypatch, tmp_path / "copy.json")  # named now: a copy keeps the name
    assert window.editor.project.name == "lenet"


def test_project_properties_rename_the_project_undoably(window, tmp_path, monkeypatch, capsys):
    draw_a_network(window)
    path = tmp_path / "lenet.json"
    save_as(window, monkeypatch, path)
    dialog = window.edit_properties()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.name_field.text() == "lenet" and dialog.name_field.hasSelectedText()
    QTest.keyClick(dialog.name_field, Qt.Key.Key_Backspace)
    assert not ok.isEnabled()  # a project needs a name
    QTest.keyClicks(dialog.name_field, "LeNet-5 digits")
    assert dialog.class_label.text() == "Exported as class LeNet5Digits(nn.Module)"
    QTest.keyClicks(dialog.description_field, "Handwritten digits")
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    project = window.editor.project
    assert (project.name, project.description) == ("LeNet-5 digits", "Handwritten digits")
    assert window.isWindowModified()
    assert window.undo_action.text() == "&Undo Rename the project to LeNet-5 digits"
    window.undo_action.trigger()
    assert (project.name, project.description) == ("lenet", "")
    assert not window.isWindowModified()
    window.redo_action.trigger()
    assert project.name == "LeNet-5 digits"
    key(window.view, Qt.Key.Key_S, CTRL)
    assert names_everywhere(window, path, capsys) == {
        "file": "LeNet-5 digits",
        "code": "class LeNet5Digits(nn.Module):",
        "export": "Export \u2014 LeNet-5 digits",
        "summary": "LeNet-5 digits",
    }
