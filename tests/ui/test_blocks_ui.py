"""Blocks in the window: group the selection with Ctrl+G, ungroup, undo and redo, refusals."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QMenu

from designer.project.files import project_to_dict
from tests.ui.gestures import click, drag, drop_layer, key, type_into

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
BLOCK1 = ["conv1", "bn1", "relu1", "conv2", "bn2", "add", "out"]


def answer_name(monkeypatch, name: str, ok: bool = True) -> list[str]:
    """Answer the group dialog with `name` and no description (or cancel it); returns the
    names it offered."""
    offered: list[str] = []

    def ask(parent, suggested):
        offered.append(suggested)
        return (name, "") if ok else None

    monkeypatch.setattr("designer.ui.block_actions.ask_block", ask)
    return offered


def scene_matches_doc(window) -> bool:
    doc, scene = window.editor.doc, window.scene
    return set(scene.node_items) == {node.id for node in doc.nodes()} and set(scene.edge_items) == {
        edge.id for edge in doc.edges()
    }


def test_rubber_band_and_ctrl_g_group_a_residual_block_in_one_undoable_step(
    window, example, monkeypatch
):
    window.open_file(example("resnet_digits"))
    doc = window.editor.doc
    before = project_to_dict(window.editor.project)
    params = window.editor.report.total_params
    first, last = doc.find("block1_conv1"), doc.find("block1_out")
    drag(
        window.view,
        QPointF(first.position[0] - 15, first.position[1] - 30),
        QPointF(last.position[0] + 215, last.position[1] + 100),
    )
    chosen = {doc.find(f"block1_{part}").id for part in BLOCK1}
    assert set(window.scene.selected_node_ids()) == chosen
    offered = answer_name(monkeypatch, "Residual")
    key(window.view, Qt.Key.Key_G, CTRL)
    assert offered == ["Block"]
    instance = doc.find("residual")
    assert instance.kind == "block" and "Residual" in doc.blocks
    assert not any(f"block1_{part}" in {n.name for n in doc.nodes()} for part in BLOCK1)
    assert [edge.source for edge in doc.in_edges(instance.id)] == [doc.find("stem_relu").id]
    assert len(doc.out_edges(instance.id)) == 2
    assert window.scene.selected_node_ids() == [instance.id]
    assert scene_matches_doc(window)
    assert window.editor.report.ok and window.editor.report.total_params == params
    assert window.editor.undo_stack.count() == 1
    grouped = project_to_dict(window.editor.project)
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert project_to_dict(window.editor.project) == before
    assert "Residual" not in doc.blocks and scene_matches_doc(window)
    key(window.view, Qt.Key.Key_Z, CTRL_SHIFT)
    assert project_to_dict(window.editor.project) == grouped and scene_matches_doc(window)


def test_ctrl_click_selection_then_ungroup_with_ctrl_shift_g(window, example, monkeypatch):
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    names = ["hidden1", "relu1"]
    items = [window.scene.node_items[doc.find(name).id] for name in names]
    click(window.view, items[0].sceneBoundingRect().center())
    click(window.view, items[1].sceneBoundingRect().center(), CTRL)
    assert sorted(window.scene.selected_node_ids()) == sorted(doc.find(n).id for n in names)
    before = project_to_dict(window.editor.project)
    answer_name(monkeypatch, "Hidden")
    window.group_action.trigger()
    assert doc.find("hidden").kind == "block"
    assert scene_matches_doc(window) and window.editor.report.ok
    key(window.view, Qt.Key.Key_G, CTRL_SHIFT)
    assert not any(node.kind == "block" for node in doc.nodes())
    assert doc.find("hidden_hidden1") and doc.find("hidden_relu1")
    assert scene_matches_doc(window) and window.editor.report.ok
    assert sorted(window.scene.selected_node_ids()) == sorted(
        doc.find(f"hidden_{n}").id for n in names
    )
    assert window.editor.undo_stack.count() == 2
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert project_to_dict(window.editor.project) == before and scene_matches_doc(window)


def test_refusals_are_shown_in_the_status_bar_and_leave_no_step(window, example, monkeypatch):
    window.open_file(example("resnet_digits"))
    doc = window.editor.doc
    before = project_to_dict(window.editor.project)
    window.scene.select_nodes([doc.find("block2_bn1").id, doc.find("block2_shortcut_bn").id])
    answer_name(monkeypatch, "Two")
    key(window.view, Qt.Key.Key_G, CTRL)
    assert "exactly one layer's output" in window.statusBar().currentMessage()
    window.scene.select_nodes([doc.find("stem_conv").id])
    answer_name(monkeypatch, "Cancelled", ok=False)
    key(window.view, Qt.Key.Key_G, CTRL)
    key(window.view, Qt.Key.Key_G, CTRL_SHIFT)
    assert window.statusBar().currentMessage() == "Select a block instance to ungroup"
    window.scene.select_nodes([])
    key(window.view, Qt.Key.Key_G, CTRL)
    assert "Select the layers" in window.statusBar().currentMessage()
    assert window.editor.undo_stack.count() == 0
    assert project_to_dict(window.editor.project) == before and scene_matches_doc(window)


def test_the_node_menu_groups_the_selection_and_ungroups_an_instance(window, example, monkeypatch):
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    chosen = [doc.find("hidden1").id, doc.find("relu1").id]
    window.scene.select_nodes(chosen)
    answer_name(monkeypatch, "Hidden")
    shown: list[list[str]] = []

    def choose(wanted: str):
        class Menu(QMenu):
            def exec(self, _position):
                shown.append([action.text() for action in self.actions() if action.text()])
                next(a for a in self.actions() if a.text().startswith(wanted)).trigger()

        monkeypatch.setattr("designer.ui.main_window.QMenu", Menu)

    choose("&Group")
    window.node_menu(chosen[1], QPoint())
    instance = doc.find("hidden")
    assert "U&ngroup Block" not in shown[0] and instance.kind == "block"
    choose("U&ngroup")
    window.node_menu(instance.id, QPoint())
    assert "U&ngroup Block" in shown[1] and not any(n.kind == "block" for n in doc.nodes())
    assert scene_matches_doc(window) and window.editor.undo_stack.count() == 2


def block_items(window) -> list[str]:
    return [
        window.palette.blocks.child(i).text(0) for i in range(window.palette.blocks.childCount())
    ]


def test_the_palette_lists_the_project_blocks_and_adds_instances(window, example, monkeypatch):
    window.open_file(example("resnet_digits_blocks"))
    doc = window.editor.doc
    names = [block.name for block in doc.blocks]
    assert names and block_items(window) == names and not window.palette.blocks.isHidden()
    count = len(doc.nodes())
    drop_layer(window, f"block:{names[0]}", QPointF(300, 400))
    added = doc.node(window.scene.selected_node_ids()[0])
    assert added.kind == "block" and added.params["block"] == names[0]
    assert len(doc.nodes()) == count + 1 and scene_matches_doc(window)
    window.palette.activate(window.palette.item_for(f"block:{names[-1]}"))
    assert len(doc.nodes()) == count + 2 and window.editor.undo_stack.count() == 2
    window.scene.select_nodes([doc.find("stem_conv").id])
    answer_name(monkeypatch, "Stem")
    key(window.view, Qt.Key.Key_G, CTRL)
    assert block_items(window) == [*names, "Stem"]
    window.palette.search.setText("stem")
    assert window.palette.item_for("block:Stem").isHidden() is False
    assert window.palette.item_for(f"block:{names[0]}").isHidden()
    window.undo_action.trigger()
    assert block_items(window) == names


def test_the_inspector_edits_an_instance_exposed_params_and_repeat(window, example):
    window.open_file(example("resnet_digits_blocks"))
    doc = window.editor.doc
    block2 = doc.find("block2")
    window.scene.select_nodes([block2.id])
    inspector = window.inspector
    assert "block" not in inspector.editors and {"channels", "repeat"} <= set(inspector.editors)
    item = window.scene.node_items[block2.id]
    assert item.kind == block2.params["block"] and block2.params["block"] not in item.summary
    type_into(inspector.editors["channels"].widget, "24")
    assert block2.params["channels"] == 24 and "channels 24" in item.summary
    assert window.editor.undo_stack.count() == 1 and item.shape_text().startswith("24x")
    type_into(inspector.editors["repeat"].widget, "2")
    assert block2.params["repeat"] == 2 and window.editor.undo_stack.count() == 2
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert block2.params["channels"] == 32 and block2.params["repeat"] == 1
