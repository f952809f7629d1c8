"""Opening damaged files in the window: a refusal leaves the open project exactly as it was."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from PySide6.QtWidgets import QMessageBox

from designer.project import ProjectError, load_project
from designer.project.files import project_to_text
from designer.ui import recovery
from tests.project_mutations import damaged_files

CASES = 30


def window_state(window) -> dict:
    editor = window.editor
    return {
        "editor": editor,
        "json": project_to_text(editor.project),
        "path": editor.project.path,
        "nodes": sorted(window.scene.node_items),
        "edges": sorted(window.scene.edge_items),
        "undo": (editor.undo_stack.count(), editor.undo_stack.index()),
        "modified": window.isWindowModified(),
        "title": window.windowTitle(),
        "recent": window.recent_paths(),
    }


def open_with_an_edit(window, path) -> None:
    assert window.open_file(path)
    window.editor.set_param(window.editor.doc.find("conv1").id, "filters", 7)


@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=damaged_files())
def test_opening_a_damaged_file_refuses_it_or_shows_it(case, window, example, tmp_path):
    data, notes = case
    if window.editor is None:
        open_with_an_edit(window, example("lenet5_digits"))
    path = tmp_path / "damaged.json"
    path.write_bytes(data)
    before = window_state(window)
    shown = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[1:3]))
        opened = window.open_file(path)
    try:
        load_project(path)
    except ProjectError as error:
        assert not opened, notes
        assert shown == [("Cannot open the project", str(error))], notes
        assert window_state(window) == before, notes
        return
    assert opened and not shown, notes
    assert sorted(window.scene.node_items) == sorted(node.id for node in window.editor.doc.nodes())
    assert sorted(window.scene.edge_items) == sorted(edge.id for edge in window.editor.doc.edges())
    open_with_an_edit(window, example("lenet5_digits"))


def test_text_utf8_cannot_hold_is_refused_on_saving_and_survives_autosave(
    window, example, tmp_path, monkeypatch
):
    window.open_file(example("mlp_iris"))
    window.editor.edit("Rename", lambda doc: doc.rename("n2", "half \udfff a pair"))
    window.write_recovery()
    assert recovery.recovery_file(example("mlp_iris")).exists()
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[1:3]))
    assert not window.write(tmp_path / "copy.json")
    assert shown == [
        (
            "Cannot save",
            "MLP on iris: graph.nodes[1].name: cannot be saved: it holds text that is not valid "
            "Unicode (a lone surrogate such as \\ud800)",
        )
    ]
    assert not (tmp_path / "copy.json").exists() and window.isWindowModified()
