"""Drawing on the canvas with real events: drop layers, wire ports, delete, undo and redo."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt

from designer.compiler import compile_graph
from designer.project import Project
from tests.ui.gestures import click, double_click, drag, drop_layer, key, type_into

CTRL = Qt.KeyboardModifier.ControlModifier


def node_named(window, name):
    return window.editor.doc.find(name)


def port_points(window, source_id, target_id):
    items = window.scene.node_items
    return items[source_id].outputs[0].scenePos(), items[target_id].inputs[0].scenePos()


def wire_by_drag(window, source_id, target_id):
    start, end = port_points(window, source_id, target_id)
    drag(window.view, start, end)


def test_dropping_layers_and_wiring_them_is_undoable(window, qtbot):
    window.set_project(Project())
    drop_layer(window, "input", QPointF(0, 0))
    drop_layer(window, "dense", QPointF(260, 0))
    doc = window.editor.doc
    assert [node.kind for node in doc.nodes()] == ["input", "dense"]
    source, target = doc.nodes()
    wire_by_drag(window, source.id, target.id)
    assert [(edge.source, edge.target) for edge in doc.edges()] == [(source.id, target.id)]
    assert window.scene.edge_items.keys() == {edge.id for edge in doc.edges()}
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert doc.edges() == [] and not window.scene.edge_items
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert [node.kind for node in doc.nodes()] == ["input"]
    key(window.view, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    key(window.view, Qt.Key.Key_Y, CTRL)
    assert len(doc.nodes()) == 2 and len(doc.edges()) == 1
    assert len(window.scene.node_items) == 2 and len(window.scene.edge_items) == 1


def test_a_wire_into_a_taken_input_replaces_the_old_one(window):
    window.set_project(Project())
    for kind, x in (("input", 0), ("input", 0), ("dense", 300)):
        drop_layer(window, kind, QPointF(x, 200 * len(window.editor.doc)))
    first, second, dense = window.editor.doc.nodes()
    wire_by_drag(window, first.id, dense.id)
    wire_by_drag(window, second.id, dense.id)
    edges = window.editor.doc.in_edges(dense.id)
    assert [edge.source for edge in edges] == [second.id]
    window.undo_action.trigger()
    assert [edge.source for edge in window.editor.doc.in_edges(dense.id)] == [first.id]


def test_merge_nodes_take_many_wires(window):
    window.set_project(Project())
    for index in range(3):
        drop_layer(window, "input", QPointF(0, 150 * index))
    drop_layer(window, "add", QPointF(320, 150))
    *inputs, add = window.editor.doc.nodes()
    for node in inputs:
        wire_by_drag(window, node.id, add.id)
    assert [edge.source for edge in window.editor.doc.in_edges(add.id)] == [n.id for n in inputs]


def test_delete_key_removes_the_selection_with_its_wires(window, example):
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    relu = node_named(window, "relu1")
    click(window.view, window.scene.node_items[relu.id].sceneBoundingRect().center())
    assert window.scene.selected_node_ids() == [relu.id]
    key(window.view, Qt.Key.Key_Delete)
    assert relu.id not in doc and len(doc.edges()) == 4
    window.undo_action.trigger()
    assert relu.id in doc and len(doc.edges()) == 6
    assert relu.id in window.scene.node_items


def test_moving_a_node_with_the_mouse_is_one_command(window, example):
    window.open_file(example("mlp_iris"))
    node = node_named(window, "hidden1")
    item = window.scene.node_items[node.id]
    start = item.sceneBoundingRect().center()
    before = node.position
    drag(window.view, start, start + QPointF(80, 120))
    assert node.position == (before[0] + 80, before[1] + 120)
    assert window.editor.undo_stack.count() == 1
    window.undo_action.trigger()
    assert node.position == before and item.pos() == QPointF(*before)


def test_arrow_keys_nudge_the_selection(window, example):
    window.open_file(example("mlp_iris"))
    node = node_named(window, "hidden1")
    window.scene.select_nodes([node.id])
    before = node.position
    key(window.view, Qt.Key.Key_Right)
    key(window.view, Qt.Key.Key_Down)
    assert node.position == (before[0] + 10, before[1] + 10)


def test_build_lenet5_with_ui_events_only(window, qtbot):
    window.set_project(Project(name="LeNet-5"))
    layers = [
        ("input", {"shape": "1x32x32"}),
        ("conv2d", {"filters": "6", "kernel_size": "5"}),
        ("relu", {}),
        ("maxpool2d", {}),
        ("conv2d", {"filters": "16", "kernel_size": "5"}),
        ("relu", {}),
        ("maxpool2d", {}),
        ("flatten", {}),
        ("dense", {"units": "120"}),
        ("relu", {}),
        ("dense", {"units": "84"}),
        ("relu", {}),
        ("dense", {"units": "10"}),
        ("output", {}),
    ]
    ids = []
    for index, (kind, params) in enumerate(layers):
        drop_layer(window, kind, QPointF(260 * index, 0))
        node_id = window.editor.doc.nodes()[-1].id
        ids.append(node_id)
        click(window.view, window.scene.node_items[node_id].sceneBoundingRect().center())
        assert window.inspector.node_id == node_id
        for name, text in params.items():
            type_into(window.inspector.editors[name].widget, text)
        if index:
            wire_by_drag(window, ids[index - 1], node_id)
    report = window.editor.report
    assert report.ok, [str(d) for d in report.diagnostics]
    assert report.total_params == 61_706
    module, _ = compile_graph(window.editor.doc, "LeNet-5")
    assert sum(parameter.numel() for parameter in module.parameters()) == 61_706
    assert window.scene.node_items[ids[7]].shape_text() == "400"
    assert "61,706" in window.status_totals.text()


def test_inspector_edits_update_shapes_at_once_and_merge_into_one_undo(window, example):
    window.open_file(example("lenet5_digits"))
    conv = node_named(window, "conv1")
    window.scene.select_nodes([conv.id])
    spin = window.inspector.editors["kernel_size"].widget
    type_into(spin, "3")
    assert window.scene.node_items[conv.id].shape_text() == "6x30x30"
    count = window.editor.undo_stack.count()
    type_into(spin, "7")
    assert window.editor.undo_stack.count() == count
    assert window.scene.node_items[conv.id].shape_text() == "6x26x26"
    assert window.scene.node_items[node_named(window, "fc1").id].severity is None
    window.undo_action.trigger()
    assert conv.params["kernel_size"] == 5


def test_a_kernel_is_typed_as_one_side_or_height_x_width(window, example):
    window.open_file(example("lenet5_digits"))
    conv = node_named(window, "conv1")
    window.scene.select_nodes([conv.id])
    field = window.inspector.editors["kernel_size"].widget
    assert field.text() == "5"
    label = window.inspector.form.labelForField(field.parentWidget())
    assert label.text() == "Kernel size" and label.toolTip().startswith("kernel_size: ")
    type_into(field, "1x5")
    assert conv.params["kernel_size"] == (1, 5)
    assert window.scene.node_items[conv.id].shape_text() == "6x32x28"
    type_into(field, "3x3")
    assert conv.params["kernel_size"] == 3 and field.text() == "3"
    message = window.inspector.editors["kernel_size"].message
    assert message.isHidden()
    type_into(field, "1x2x3")  # refused: the form says why and the model keeps its value
    assert conv.params["kernel_size"] == 3 and message.isVisible()
    assert "Write one whole number, or height x width: 3 or 1x7." in message.text()
    type_into(field, "five")
    assert "'five' is not a list of whole numbers" in message.text()
    type_into(field, "3")
    assert message.isHidden()
    window.undo_action.trigger()
    assert conv.params["kernel_size"] == 5 and field.text() == "5"


def test_the_new_activations_come_from_the_palette(window):
    window.set_project(Project())
    for index, kind in enumerate(("relu6", "silu", "hardswish", "hardsigmoid")):
        drop_layer(window, kind, QPointF(260 * index, 0))
    assert [node.kind for node in window.editor.doc.nodes()] == [
        "relu6",
        "silu",
        "hardswish",
        "hardsigmoid",
    ]


def test_rename_in_place_with_f2(window, example):
    window.open_file(example("mlp_iris"))
    node = node_named(window, "hidden1")
    window.scene.select_nodes([node.id])
    key(window.view, Qt.Key.Key_F2)
    field = window.view.viewport().findChild(type(window.inspector.name_edit))
    assert field is not None and field.text() == "hidden1"
    field.selectAll()
    type_into(field, "encoder")
    assert node.name == "encoder"
    window.undo_action.trigger()
    assert node.name == "hidden1"


def test_double_click_on_the_title_renames(window, example):
    window.open_file(example("mlp_iris"))
    item = window.scene.node_items[node_named(window, "relu2").id]
    double_click(window.view, item.mapToScene(item.title_rect().center()))
    field = window.view.viewport().findChild(type(window.inspector.name_edit))
    assert field is not None
    key(field, Qt.Key.Key_Escape)
    assert node_named(window, "relu2")


def test_wheel_zooms_and_f_fits(window, example, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    window.open_file(example("resnet_digits"))
    view = window.view
    before = view.transform().m11()
    center = QPointF(view.viewport().rect().center())
    event = QWheelEvent(
        center,
        QPointF(view.viewport().mapToGlobal(center.toPoint())),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)
    assert view.transform().m11() > before
    key(view, Qt.Key.Key_F)
    assert view.transform().m11() <= 1.0


def test_ports_are_typed_and_refuse_a_wire_of_the_wrong_dtype(window, qtbot):
    window.set_project(Project())
    drop_layer(window, "input", QPointF(0, 0))
    drop_layer(window, "embedding", QPointF(300, 0))
    doc = window.editor.doc
    source, embedding = doc.nodes()
    wire_by_drag(window, source.id, embedding.id)
    assert doc.edges() == []
    assert window.statusBar().currentMessage() == (
        "Embedding 'embedding1' takes long tensors, not float"
    )
    port = window.scene.node_items[source.id].outputs[0]
    assert "1x28x28" in port.toolTip()
    window.editor.set_param(source.id, "dtype", "long")
    assert port.color() != window.scene.node_items[embedding.id].inputs[0].color()
    wire_by_drag(window, source.id, embedding.id)
    assert len(doc.edges()) == 1


def test_the_status_bar_batch_size_drives_the_memory_estimate(window, example):
    window.open_file(example("lenet5_digits"))
    before = window.status_totals.text()
    window.batch_size.setValue(64)
    assert window.status_totals.text() != before
    assert window.status_valid.text().endswith("valid")
