"""Custom code in the window: the app asks once per file before it runs a project's code,
File > Trust Project Code asks again after a no, and the inspector edits a node's code."""

from __future__ import annotations

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from designer.compiler.code_trust import forget
from designer.model import GraphDocument
from designer.project import Project, save_project
from designer.ui.param_editors import CodeEdit
from nodes import TensorInfo
from tests.ui.gestures import type_into

CODE = "import torch\n\n\ndef twice(x):\n    return torch.cat([x, x], dim=-1)\n"
YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


@pytest.fixture(autouse=True)
def untrusted():
    forget()
    yield
    forget()


@pytest.fixture
def answers(monkeypatch):
    """The trust question's answers, given in order; each question asked is kept."""
    state = {"answers": [], "asked": []}

    def question(parent, title, text, *args):
        state["asked"].append(text)
        return state["answers"].pop(0)

    monkeypatch.setattr("designer.ui.trust_prompt.QMessageBox.question", question)
    return state


def carrying_project(path, code: str = CODE):
    doc = GraphDocument()
    source = doc.add_node("input", "x", {"shape": [4]})
    node = doc.add_node("custom_code", "twice", {"target": "twice", "code": code})
    output = doc.add_node("output", "y")
    doc.connect(source.id, "out", node.id, "in")
    doc.connect(node.id, "out", output.id, "in")
    return save_project(Project(name="Carrier", graph=doc), path)


def shape_of(window, name: str):
    doc = window.editor.doc
    return window.editor.report.nodes[doc.find(name).id].output


def test_the_app_asks_once_per_file_before_running_its_code(window, answers, tmp_path):
    path = carrying_project(tmp_path / "carrier.json")
    answers["answers"] = [YES]
    assert window.open_file(path)
    assert len(answers["asked"]) == 1 and "'twice'" in answers["asked"][0]
    assert shape_of(window, "twice") == TensorInfo((8,))

    forget()  # the next session: this process trusts nothing, the settings remember the file
    assert window.open_file(path)
    assert len(answers["asked"]) == 1
    assert shape_of(window, "twice") == TensorInfo((8,))

    other = carrying_project(tmp_path / "other.json", CODE.replace("[x, x]", "[x, x, x]"))
    answers["answers"] = [NO]
    assert window.open_file(other)
    assert len(answers["asked"]) == 2
    report = window.editor.report
    assert report.withheld and shape_of(window, "twice") is None
    assert any("not trusted yet" in str(d) for d in report.diagnostics)

    answers["answers"] = [YES]
    window.trust_action.trigger()
    assert len(answers["asked"]) == 3
    assert shape_of(window, "twice") == TensorInfo((12,))
    assert not window.editor.report.withheld


def test_a_file_the_app_saved_with_trusted_code_is_not_asked_about(window, answers, tmp_path):
    path = carrying_project(tmp_path / "carrier.json")
    answers["answers"] = [YES]
    window.open_file(path)
    node = window.editor.doc.find("twice")
    window.editor.set_param(node.id, "code", CODE.replace("dim=-1", "dim=1"))
    assert shape_of(window, "twice") == TensorInfo((8,))  # the user's own edit: trusted
    saved = tmp_path / "edited.json"
    assert window.write(saved)
    forget()
    assert window.open_file(saved)
    assert len(answers["asked"]) == 1
    assert shape_of(window, "twice") == TensorInfo((8,))


def test_the_inspector_edits_arguments_and_code_as_undoable_steps(window, answers, tmp_path):
    answers["answers"] = [YES]
    window.open_file(carrying_project(tmp_path / "carrier.json"))
    node = window.editor.doc.find("twice")
    window.scene.select_nodes([node.id])
    editors = window.inspector.editors
    code = editors["code"].widget
    assert isinstance(code, CodeEdit) and code.toPlainText() == CODE

    code.setFocus()
    code.setPlainText(CODE.replace("[x, x]", "[x, x, x]"))
    window.inspector.editors["arguments"].widget.setFocus()  # leaving the code commits it
    QTest.qWait(10)
    assert node.params["code"] == CODE.replace("[x, x]", "[x, x, x]")
    assert shape_of(window, "twice") == TensorInfo((12,))

    type_into(editors["arguments"].widget, "x0, (")
    assert node.params["arguments"] == "x0, ("
    (error,) = window.editor.report.errors
    assert "Custom code 'twice' arguments 'x0, (' are not a list of Python arguments" in str(error)
    type_into(editors["arguments"].widget, "x0 * 2")
    assert node.params["arguments"] == "x0 * 2" and window.editor.report.ok
    assert window.editor.undo_stack.count() == 2  # edits of one field in a row merge
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert node.params["code"] == CODE and node.params["arguments"] == "x0"
    assert code.toPlainText() == CODE
