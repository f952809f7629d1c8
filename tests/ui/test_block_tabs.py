"""A block's inside in its own tab: open by double-click, edit with undo, breadcrumbs back,
expose params and describe the block; every instance follows."""

from __future__ import annotations

import gc

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QToolButton

from designer.model.grouping import group
from designer.project.files import project_to_dict
from designer.ui.block_panel import BlockPanel
from designer.ui.group_dialog import GroupDialog
from tests.ui.gestures import click, double_click, key, type_into

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
LEFT = Qt.MouseButton.LeftButton


def body_of(window, name: str) -> QPointF:
    """A point on the node's body, under its title (a double-click there opens a block)."""
    item = window.scene.node_items[window.current_editor.doc.find(name).id]
    rect = item.sceneBoundingRect()
    return QPointF(rect.center().x(), rect.bottom() - 12)


def crumbs(window) -> list[str]:
    layout, texts = window.tabs.crumbs, []
    for index in range(layout.count()):
        widget = layout.itemAt(index).widget()
        if isinstance(widget, QToolButton | QLabel):
            texts.append(widget.text().replace("<b>", "").replace("</b>", ""))
    return texts


def crumb_button(window, text: str) -> QToolButton:
    layout = window.tabs.crumbs
    buttons = [layout.itemAt(i).widget() for i in range(layout.count())]
    return next(b for b in buttons if isinstance(b, QToolButton) and b.text() == text)


def open_resnet_block(window, example) -> None:
    window.open_file(example("resnet_digits_blocks"))
    double_click(window.view, body_of(window, "block1"))


def test_double_click_opens_the_block_in_a_tab_with_breadcrumbs_back(window, example):
    open_resnet_block(window, example)
    tabs = window.tabs
    assert tabs.tabs.count() == 2 and tabs.current.block == "ResidualBlock"
    assert tabs.tabs.tabText(1) == "ResidualBlock"
    assert crumbs(window) == ["resnet_digits_blocks", "\u203a", "ResidualBlock"]
    inner = window.current_editor.doc
    assert inner is window.editor.doc.blocks.get("ResidualBlock").graph
    assert set(window.scene.node_items) == {node.id for node in inner.nodes()}
    assert window.current_editor.report.ok, window.current_editor.report.errors
    click(window.view, body_of(window, "conv1"))
    assert window.inspector.node_id == inner.find("conv1").id
    assert window.problems is tabs.current.problems
    QTest.mouseClick(crumb_button(window, "resnet_digits_blocks"), LEFT)
    assert tabs.current is tabs.main and not tabs.crumb_bar.isVisibleTo(window)
    double_click(window.view, body_of(window, "block1"))
    assert tabs.tabs.count() == 2 and tabs.current.block == "ResidualBlock"


def test_an_edit_inside_changes_every_instance_and_undoes_from_either_tab(window, example):
    open_resnet_block(window, example)
    main = window.editor
    before, params = project_to_dict(main.project), main.report.total_params
    inner = window.current_editor.doc
    conv = inner.find("conv1")
    click(window.view, body_of(window, "conv1"))
    bias = window.inspector.editors["bias"].widget
    QTest.mouseClick(bias, LEFT, pos=QPoint(8, bias.height() // 2))
    assert conv.params["bias"] is True
    assert main.report.total_params == params + 16  # one instance, 16 channels
    QTest.mouseClick(crumb_button(window, "resnet_digits_blocks"), LEFT)
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert project_to_dict(main.project) == before and main.report.total_params == params
    window.tabs.show_canvas(window.tabs.canvas_of("ResidualBlock"))
    click(window.view, body_of(window, "bn1"))
    key(window.view, Qt.Key.Key_Delete)
    assert conv.params["bias"] is False and window.current_editor.report.errors
    assert not main.report.ok  # the instance cannot be worked out without its BatchNorm
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert inner.find("bn1").id in window.scene.node_items and main.report.ok
    assert project_to_dict(main.project) == before


def test_a_running_training_locks_edits_inside_blocks_too(window, example):
    open_resnet_block(window, example)
    window.editor.lock("Training is running")
    inner = window.current_editor.doc
    click(window.view, body_of(window, "bn1"))
    key(window.view, Qt.Key.Key_Delete)
    assert inner.find("bn1") is not None
    assert window.statusBar().currentMessage() == "Training is running"


def test_undoing_the_grouping_closes_the_block_tab(window, example, monkeypatch):
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    window.scene.select_nodes([doc.find("hidden1").id, doc.find("relu1").id])
    monkeypatch.setattr(
        "designer.ui.block_actions.ask_block", lambda parent, name: ("Hidden", "Dense + ReLU")
    )
    key(window.view, Qt.Key.Key_G, CTRL)
    assert doc.blocks.get("Hidden").description == "Dense + ReLU"
    double_click(window.view, body_of(window, "hidden"))
    assert window.tabs.current.block == "Hidden"
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert "Hidden" not in doc.blocks
    assert window.tabs.tabs.count() == 1 and window.tabs.current is window.tabs.main
    assert window.scene is window.tabs.main.scene


def test_expose_a_param_then_each_instance_sets_its_own(window, example):
    window.open_file(example("resnet_digits_blocks"))
    main = window.editor
    before = project_to_dict(main.project)
    double_click(window.view, body_of(window, "block2"))
    panel = window.tabs.current.page.findChild(BlockPanel)
    assert panel.table.rowCount() == 2
    inner = window.current_editor.doc
    click(window.view, body_of(window, "bn1"))
    click(window.view, body_of(window, "bn2"), CTRL)
    QTest.mouseClick(panel.expose_button, LEFT)
    dialog = panel.dialog
    assert dialog.isVisible() and dialog.param.currentText() == "eps"
    dialog.param.setCurrentText("momentum")
    dialog.name.clear()
    QTest.keyClicks(dialog.name, "channels")  # taken: refused, the dialog stays
    dialog.apply()
    assert dialog.isVisible() and "already has a param named 'channels'" in dialog.problem.text()
    dialog.name.clear()
    QTest.keyClicks(dialog.name, "bn_momentum")
    dialog.default_editor.widget.setValue(0.2)
    dialog.apply()
    assert not dialog.isVisible()
    definition = main.doc.blocks.get("DownsampleBlock")
    assert definition.params[-1].name == "bn_momentum" and definition.params[-1].default == 0.2
    assert definition.params[-1].targets == (
        (inner.find("bn1").id, "momentum"),
        (inner.find("bn2").id, "momentum"),
    )
    assert (
        panel.table.rowCount() == 3
        and panel.table.item(2, 1).text() == "bn1.momentum, bn2.momentum"
    )
    QTest.mouseClick(crumb_button(window, "resnet_digits_blocks"), LEFT)
    click(window.view, body_of(window, "block2"))
    editor = window.inspector.editors["bn_momentum"]
    assert editor.widget.value() == 0.2
    editor.widget.setValue(0.3)
    assert main.doc.find("block2").params["bn_momentum"] == 0.3
    assert main.report.ok
    window.tabs.show_canvas(window.tabs.canvas_of("DownsampleBlock"))
    panel.table.selectRow(2)
    QTest.mouseClick(panel.remove_button, LEFT)
    assert [param.name for param in main.doc.blocks.get("DownsampleBlock").params] == [
        "channels",
        "stride",
    ]
    assert panel.table.rowCount() == 2 and main.report.ok
    assert "bn_momentum" not in project_to_dict(main.project)["graph"]["nodes"][-1]["params"]
    for _ in range(3):
        key(window.view, Qt.Key.Key_Z, CTRL)
    assert len(main.doc.blocks.get("DownsampleBlock").params) == 2
    assert project_to_dict(main.project) == before


def test_the_description_is_an_undoable_edit_that_the_palette_shows(window, example):
    open_resnet_block(window, example)
    panel = window.tabs.current.page.findChild(BlockPanel)
    panel.description.selectAll()
    type_into(panel.description, "Two convolutions and a shortcut")
    key(panel.description, Qt.Key.Key_Return)
    blocks = window.editor.doc.blocks
    assert blocks.get("ResidualBlock").description == "Two convolutions and a shortcut"
    item = window.palette.item_for("block:ResidualBlock")
    assert item.toolTip(0) == "Two convolutions and a shortcut"
    window.editor.undo()
    assert blocks.get("ResidualBlock").description.startswith("Two 3x3 convolutions")
    assert panel.description.text().startswith("Two 3x3 convolutions")


def test_the_group_dialog_takes_a_name_and_a_description(window, example, qtbot):
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    window.scene.select_nodes([doc.find("hidden1").id, doc.find("relu1").id])

    def answer() -> None:
        dialog = window.findChild(GroupDialog)
        assert dialog.name.text() == "Block" and dialog.name.hasSelectedText()
        dialog.name.clear()
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()  # no name, no block
        QTest.keyClicks(dialog.name, "Hidden")
        QTest.keyClicks(dialog.description, "A dense layer and its ReLU")
        QTest.mouseClick(ok, LEFT)

    QTimer.singleShot(0, answer)
    key(window.view, Qt.Key.Key_G, CTRL)
    definition = doc.blocks.get("Hidden")
    assert definition.description == "A dense layer and its ReLU"
    assert window.palette.item_for("block:Hidden").toolTip(0) == "A dense layer and its ReLU"


def test_inside_a_block_the_fields_a_block_param_sets_are_read_only(window, example):
    window.open_file(example("resnet_digits_blocks"))
    window.tabs.open_block("DownsampleBlock")
    click(window.view, body_of(window, "conv1"))
    filters = window.inspector.editors["filters"].widget
    kernel = window.inspector.editors["kernel_size"].widget
    assert not filters.isEnabled() and kernel.isEnabled()
    assert "block param 'channels'" in filters.parentWidget().toolTip()
    click(window.view, body_of(window, "bn1"))
    panel = window.tabs.current.page.findChild(BlockPanel)
    assert window.inspector.editors["momentum"].widget.isEnabled()
    QTest.mouseClick(panel.expose_button, LEFT)
    panel.dialog.param.setCurrentText("momentum")
    panel.dialog.apply()
    assert not window.inspector.editors["momentum"].widget.isEnabled()


def test_renaming_a_blocks_input_keeps_the_wire_on_a_red_port_until_undone(window, example):
    open_resnet_block(window, example)
    main_scene, doc = window.tabs.main.scene, window.editor.doc
    instance = doc.find("block1").id
    window.start_rename(window.current_editor.doc.find("x").id)
    field = window.view.findChild(QLineEdit)
    field.selectAll()
    type_into(field, "img")
    key(field, Qt.Key.Key_Return)
    item = main_scene.node_items[instance]
    assert [(port.name, port.gone) for port in item.inputs] == [("img", False), ("x", True)]
    (wire,) = [edge for edge in item.edges if edge.target.node_item is item]
    assert wire.target.name == "x" and "no longer has this port" in wire.target.toolTip()
    assert any("a wire into 'x'" in str(error) for error in window.editor.report.errors)
    window.editor.undo()
    item = main_scene.node_items[instance]
    assert [(port.name, port.gone) for port in item.inputs] == [("x", False)]
    assert window.editor.report.ok


def test_a_closed_tab_lets_go_so_later_edits_inside_undo_as_usual(window, example, caplog, qtbot):
    window.open_file(example("resnet_digits_blocks"))
    inner = window.editor.doc.blocks.get("ResidualBlock").graph
    listeners = len(inner.events.node_removed)
    double_click(window.view, body_of(window, "block1"))
    click(window.view, body_of(window, "conv1"))
    assert len(inner.events.node_removed) > listeners
    window.tabs.close_canvas(window.tabs.current)
    qtbot.wait(10)  # deleteLater
    gc.collect()
    assert len(inner.events.node_removed) == listeners
    double_click(window.view, body_of(window, "block1"))
    click(window.view, body_of(window, "conv1"))
    bias = window.inspector.editors["bias"].widget
    QTest.mouseClick(bias, LEFT, pos=QPoint(8, bias.height() // 2))
    assert window.editor.undo_stack.count() == 1 and window.editor.modified
    click(window.view, body_of(window, "bn1"))
    key(window.view, Qt.Key.Key_Delete)
    assert window.editor.undo_stack.count() == 2
    window.editor.undo()
    window.editor.undo()
    assert window.current_editor.doc.find("bn1") is not None
    assert not [record for record in caplog.records if record.name == "designer.ui.commands"]


def test_a_breadcrumb_to_a_block_undone_away_goes_back_to_the_network(window, example):
    window.open_file(example("resnet_digits_blocks"))
    select = [window.editor.doc.find(name).id for name in ("stem_relu", "block1")]
    window.scene.select_nodes(select)
    window.editor.edit(
        "Group", lambda doc: group(doc, select, "Outer", "", window_shapes(window), "outer")
    )
    double_click(window.view, body_of(window, "outer"))
    double_click(window.view, body_of(window, "block1"))
    assert crumbs(window) == ["resnet_digits_blocks", "\u203a", "Outer", "\u203a", "ResidualBlock"]
    window.editor.undo()
    assert [window.tabs.tabs.tabText(i) for i in range(window.tabs.tabs.count())] == [
        "resnet_digits_blocks",
        "ResidualBlock",
    ]
    assert crumbs(window) == ["resnet_digits_blocks", "\u203a", "ResidualBlock"]
    QTest.mouseClick(crumb_button(window, "resnet_digits_blocks"), LEFT)
    assert window.tabs.current is window.tabs.main


def window_shapes(window) -> dict:
    return {
        node_id: (info.output.shape, info.output.dtype)
        for node_id, info in window.editor.report.nodes.items()
        if info.output is not None
    }
