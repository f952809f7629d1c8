"""Editing in the window: clipboard, fixes, layout, code view, loose wires and long undo runs."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from designer.model.edits import wire
from designer.model.layout import layered_positions
from designer.project import Project
from designer.project.files import project_to_text
from designer.ui.main_window import MainWindow
from nodes import REGISTRY
from tests.ui.gestures import click, drag, drop_layer, key

CTRL = Qt.KeyboardModifier.ControlModifier


def test_copy_in_one_window_and_paste_in_another(window, example, qtbot):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    chosen = [doc.find(name).id for name in ("conv1", "relu1", "pool1")]
    window.scene.select_nodes(chosen)
    key(window.view, Qt.Key.Key_C, CTRL)
    other = MainWindow()
    qtbot.addWidget(other)
    other.confirm_discard = lambda: True
    other.show()
    other.set_project(Project())
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    key(other.view, Qt.Key.Key_V, CTRL)
    pasted = other.editor.doc
    assert [node.name for node in pasted.nodes()] == ["conv1", "relu1", "pool1"]
    assert len(pasted.edges()) == 2
    assert pasted.find("conv1").params == doc.find("conv1").params
    assert sorted(other.scene.selected_node_ids()) == sorted(n.id for n in pasted.nodes())
    key(other.view, Qt.Key.Key_V, CTRL)
    assert len(pasted.nodes()) == 6 and pasted.find("conv1_1")
    other.undo_action.trigger()
    assert len(pasted.nodes()) == 3


def test_cut_and_duplicate(window, example):
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    window.scene.select_nodes([doc.find("relu1").id])
    key(window.view, Qt.Key.Key_D, CTRL)
    assert doc.find("relu1_1")
    window.scene.select_nodes([doc.find("relu1_1").id])
    key(window.view, Qt.Key.Key_X, CTRL)
    assert [node.name for node in doc.nodes()].count("relu1_1") == 0


def test_the_fix_button_inserts_flatten_as_one_undoable_step(window, example, qtbot):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    flatten = doc.find("flatten")
    window.scene.select_nodes([flatten.id])
    key(window.view, Qt.Key.Key_Delete)
    window.editor.edit("Wire", lambda d: wire(d, d.find("pool2").id, "out", d.find("fc1").id, "in"))
    fc1 = window.scene.node_items[doc.find("fc1").id]
    assert fc1.severity == "error"
    tree = window.problems.tree
    item = tree.topLevelItem(0)
    assert "Dense 'fc1' expects features" in item.text(0)
    assert tree.headerItem().text(1) == "Fix"
    button = tree.itemWidget(item, 1)
    assert button.text() == "Insert Flatten before Dense 'fc1'"
    assert tree.header().sectionSize(1) >= button.sizeHint().width()  # the words are not cut
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.editor.report.ok and fc1.severity is None
    assert window.editor.undo_stack.undoText() == "Insert Flatten before Dense 'fc1'"
    window.undo_action.trigger()
    assert not window.editor.report.ok


def test_double_click_on_a_problem_selects_its_node(window, example):
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    window.editor.edit("Unwire", lambda d: d.disconnect(d.in_edges(d.find("relu2").id)[0].id))
    tree = window.problems.tree
    item = next(
        tree.topLevelItem(row)
        for row in range(tree.topLevelItemCount())
        if "nothing wired into its input" in tree.topLevelItem(row).text(0)
    )
    tree.itemDoubleClicked.emit(item, 0)
    assert window.scene.selected_node_ids() == [doc.find("relu2").id]


def test_auto_layout_is_one_command(window, example):
    window.open_file(example("resnet_digits"))
    doc = window.editor.doc
    for node in doc.nodes():
        window.editor.edit("Move", lambda d, n=node: d.move(n.id, (0, 0)))
    key(window.view, Qt.Key.Key_L, CTRL)
    laid_out = layered_positions(doc, "right", window.view.layout_room())
    assert {node.id: node.position for node in doc.nodes()} == laid_out
    window.undo_action.trigger()
    assert {node.position for node in doc.nodes()} == {(0.0, 0.0)}


def test_show_in_code_marks_the_layer_lines(window, example):
    window.open_file(example("lenet5_digits"))
    conv = window.editor.doc.find("conv2")
    dialog = window.show_code(conv.id)
    text = dialog.text.toPlainText()
    marked = [
        text.splitlines()[selection.cursor.blockNumber()]
        for selection in dialog.text.extraSelections()
    ]
    assert marked == [
        "        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)",
        "        conv2 = self.conv2(pool1)  # 16x10x10",
    ]
    dialog.close()


def test_a_wire_dropped_on_empty_canvas_offers_layers_that_fit(window, example, monkeypatch):
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    offered = []

    def choose(menu, position):
        offered.extend(action.data() for action in menu.kind_actions)
        return "dropout"

    monkeypatch.setattr("designer.ui.layer_menu.LayerMenu.choose", choose)
    relu = window.scene.node_items[doc.find("relu2").id]
    start = relu.outputs[0].scenePos()
    drag(window.view, start, start + QPointF(120, 260))
    assert "dense" in offered and "conv2d" not in offered and "input" not in offered
    dropout = doc.nodes()[-1]
    assert dropout.kind == "dropout"
    assert [edge.source for edge in doc.in_edges(dropout.id)] == [doc.find("relu2").id]
    assert window.editor.undo_stack.count() == 1


def test_rubber_band_and_ctrl_click_select(window, example):
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    items = window.scene.node_items
    first, second = items[doc.find("hidden1").id], items[doc.find("relu1").id]
    click(window.view, first.sceneBoundingRect().center())
    click(window.view, second.sceneBoundingRect().center(), CTRL)
    assert set(window.scene.selected_node_ids()) == {first.node_id, second.node_id}
    window.scene.clearSelection()
    area = first.sceneBoundingRect().united(second.sceneBoundingRect())
    drag(window.view, area.topLeft() - QPointF(20, 40), area.bottomRight() + QPointF(20, 40))
    assert set(window.scene.selected_node_ids()) == {first.node_id, second.node_id}


def random_ui_edit(window, rng: random.Random) -> None:
    """One edit as the window makes it: add, wire, delete, paste, param, rename, layout, fix."""
    editor, scene = window.editor, window.scene
    doc = editor.doc
    nodes = doc.nodes()
    action = rng.choice(
        ["add", "wire", "wire", "delete", "paste", "param", "rename", "layout", "fix"]
    )
    if action == "add" or not nodes:
        kind = rng.choice([spec.kind for spec in REGISTRY])
        window.add_layer(kind, QPointF(rng.uniform(-400, 900), rng.uniform(-300, 300)))
    elif action == "wire":
        sources = [node for node in nodes if node.spec.outputs]
        targets = [node for node in nodes if node.spec.inputs]
        if sources and targets:
            source, target = rng.choice(sources), rng.choice(targets)
            editor.edit("Wire", lambda d: wire(d, source.id, "out", target.id, "in"))
    elif action == "delete":
        scene.select_nodes(rng.sample([node.id for node in nodes], k=min(2, len(nodes))))
        window.delete_selection()
    elif action == "paste":
        scene.select_nodes([rng.choice(nodes).id])
        window.duplicate()
    elif action == "param":
        node = rng.choice(nodes)
        if node.spec.params:
            param = rng.choice(node.spec.params)
            editor.set_param(node.id, param.name, rng.choice([param.default, 2, 0.25, 16]))
    elif action == "rename":
        node_id = rng.choice(nodes).id
        editor.edit("Rename", lambda d: d.rename(node_id, rng.choice(["a", "b", "x y"])))
    elif action == "layout":
        window.auto_layout()
    else:
        fixes = [d for d in editor.report.diagnostics if d.fix is not None]
        if fixes:
            window.problems.fix(rng.choice(fixes))


def test_undo_a_long_random_session_back_to_the_start_and_redo_it(window, example):
    window.open_file(example("resnet_digits"))
    project = window.editor.project
    start = project_to_text(project)
    rng = random.Random(7)
    for _ in range(150):
        random_ui_edit(window, rng)
    end = project_to_text(project)
    stack = window.editor.undo_stack
    steps = stack.index()
    assert steps > 50
    while stack.canUndo():
        window.undo_action.trigger()
    assert project_to_text(project) == start
    assert window.scene.node_items.keys() == {node.id for node in project.graph.nodes()}
    assert window.editor.report.ok
    while stack.canRedo():
        window.redo_action.trigger()
    assert project_to_text(project) == end
    assert window.scene.edge_items.keys() == {edge.id for edge in project.graph.edges()}
    for node in project.graph.nodes():
        assert window.scene.node_items[node.id].pos() == QPointF(*node.position)


def test_a_failed_edit_says_why_and_changes_nothing(window, example):
    window.open_file(example("mlp_iris"))
    before = project_to_text(window.editor.project)
    count = window.editor.undo_stack.count()
    window.paste({"format": "something else"})
    assert project_to_text(window.editor.project) == before
    assert window.editor.undo_stack.count() == count
    window.paste({"format": "netdesigner-fragment", "nodes": [{"kind": "relu"}], "edges": []})
    assert "damaged" in window.statusBar().currentMessage()
    assert project_to_text(window.editor.project) == before


def test_drop_then_delete_with_backspace(window):
    window.set_project(Project())
    drop_layer(window, "relu", QPointF(0, 0))
    assert len(window.editor.doc) == 1
    key(window.view, Qt.Key.Key_Backspace)
    assert len(window.editor.doc) == 0


def test_an_unanswered_node_menu_is_refused_not_left_open(window, example):
    from tests.ui.conftest import UnexpectedDialog

    window.open_file(example("mlp_iris"))
    node = window.editor.doc.find("hidden1")
    with pytest.raises(UnexpectedDialog):
        window.node_menu(node.id, window.view.mapToGlobal(window.view.rect().center()))


def test_the_node_menu_shows_the_shortcuts_of_its_entries(window, example, monkeypatch):
    window.open_file(example("mlp_iris"))
    shown: dict[str, str] = {}

    class Menu(QMenu):
        def exec(self, _position):
            shown.update({a.text(): a.shortcut().toString() for a in self.actions() if a.text()})

    monkeypatch.setattr("designer.ui.main_window.QMenu", Menu)
    window.node_menu(window.editor.doc.find("hidden1").id, QPoint())
    assert shown["Re&name"] == "F2" and shown["D&uplicate"] == "Ctrl+D"
    assert shown["&Delete"] and shown["Show in Code"] == "Ctrl+Shift+C"
    assert shown["&Group into Block\u2026"] == "Ctrl+G"
