"""The Layer Table dock: the summary's rows and totals, sorting, and selection shared with the
canvas."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from designer.compiler.summary import human_bytes
from designer.ui.layer_table_model import COLUMNS
from tests.ui.gestures import click, key
from tests.ui.test_placement import node_center

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
PARAMS = COLUMNS.index("Params")


def shown_table(window):
    """The table of the canvas shown, with its dock in front."""
    window.layer_table_dock.show()
    window.layer_table_dock.raise_()
    return window.layer_tables.table()


def column(table, name: str) -> list[str]:
    proxy, index = table.proxy, COLUMNS.index(name)
    return [proxy.index(row, index).data() for row in range(proxy.rowCount())]


def click_row(table, layer: str) -> None:
    row = column(table, "Layer").index(layer)
    table.table.scrollTo(table.proxy.index(row, 0))
    rect = table.table.visualRect(table.proxy.index(row, 1))
    QTest.mouseClick(table.table.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, rect.center())


def click_header(table, section: int) -> None:
    header = table.table.horizontalHeader()
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    QTest.mouseClick(header.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, QPoint(x, 5))


def test_the_table_lists_every_layer_with_the_summary_s_numbers(window, example):
    window.open_file(example("lenet5_digits"))
    table = shown_table(window)
    layers = column(table, "Layer")
    assert layers[:3] == ["image", "conv1", "relu1"] and layers[-1] == "logits"
    assert len(layers) == 14
    fc1 = layers.index("fc1")
    assert [column(table, name)[fc1] for name in COLUMNS[2:6]] == [
        "Dense",
        "120",
        "48,120",
        "48.00K",
    ]
    report = window.editor.report
    memory = human_bytes(report.activation_bytes(32))
    totals = f"Total: 14 layers, 61,706 parameters, 416.52K MACs, {memory} at batch 32"
    assert table.totals.text() == totals
    window.batch_size.setValue(64)
    assert human_bytes(report.activation_bytes(64)) in table.totals.text()
    assert column(table, "Memory")[fc1] == human_bytes(120 * 4 * 64)


def test_sorting_by_params_both_ways_and_back(window, example):
    window.open_file(example("lenet5_digits"))
    table = shown_table(window)
    forward = column(table, "Layer")
    click_row(table, "conv2")
    orders = set()
    for _ in range(2):
        click_header(table, PARAMS)
        descending = table.model.sort_order == Qt.SortOrder.DescendingOrder
        orders.add(descending)
        counts = [int(text.replace(",", "")) for text in column(table, "Params")]
        assert counts == sorted(counts, reverse=descending)
        assert column(table, "Layer")[0 if descending else -1] == "fc1"
        assert table.selected_node_ids() == [window.editor.doc.find("conv2").id]
    assert orders == {True, False}
    zero_params = [name for name in column(table, "Layer") if name in ("relu1", "pool1")]
    assert zero_params == ["relu1", "pool1"]  # ties keep forward order
    click_header(table, 0)  # back to forward order
    if table.model.sort_order == Qt.SortOrder.DescendingOrder:
        click_header(table, 0)
    assert column(table, "Layer") == forward


def test_selection_is_shared_with_the_canvas(window, example):
    window.open_file(example("lenet5_digits"))
    doc = window.editor.doc
    table = shown_table(window)
    click_row(table, "conv2")
    assert window.scene.selected_node_ids() == [doc.find("conv2").id]
    assert window.inspector.node_id == doc.find("conv2").id
    click(window.view, node_center(window, "fc2"))
    assert table.selected_node_ids() == [doc.find("fc2").id]
    click(window.view, node_center(window, "relu1"), CTRL)
    assert set(table.selected_node_ids()) == {doc.find("fc2").id, doc.find("relu1").id}
    table.filter.setFocus()
    QTest.keyClicks(table.filter, "dense")
    assert column(table, "Layer") == ["fc1", "fc2", "fc3"]
    assert table.totals.text().endswith("(3 shown)")
    click_row(table, "fc3")
    assert window.scene.selected_node_ids() == [doc.find("fc3").id]


def test_the_table_follows_every_edit(window, example, qtbot):
    window.open_file(example("lenet5_digits"))
    table = shown_table(window)
    click_row(table, "fc3")
    key(window.view, Qt.Key.Key_Delete)
    assert "fc3" not in column(table, "Layer")
    assert f"{61_706 - 850:,} parameters" in table.totals.text()
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert "fc3" in column(table, "Layer") and "61,706 parameters" in table.totals.text()
    window.current_editor.set_param(window.editor.doc.find("fc2").id, "units", 42)
    rows = column(table, "Layer")
    assert column(table, "Output shape")[rows.index("fc2")] == "42"
    assert "!" not in "".join(rows)
    window.problems_dock.raise_()  # edits made while the table is hidden show when it is shown
    qtbot.waitUntil(lambda: not table.on_screen())
    click(window.view, node_center(window, "relu4"))
    key(window.view, Qt.Key.Key_Delete)
    assert table.stale  # left until the table is in sight
    assert "relu4" not in column(shown_table(window), "Layer")
    assert table.selected_node_ids() == []
    click(window.view, node_center(window, "fc3"))
    window.problems_dock.raise_()
    qtbot.waitUntil(lambda: not table.on_screen())
    click(window.view, node_center(window, "fc1"))
    assert shown_table(window).selected_node_ids() == [window.editor.doc.find("fc1").id]
    assert column(table, "Layer")[-2:] == ["fc3 !", "logits"]  # fc3 lost its input


def test_a_block_s_tab_has_a_table_of_its_inside(window, example):
    window.open_file(example("resnet_digits_blocks"))
    name = next(iter(window.editor.doc.blocks)).name
    window.tabs.open_block(name)
    inside = shown_table(window)
    inner = {node.name for node in window.current_editor.doc.nodes()}
    assert set(column(inside, "Layer")) == inner
    window.tabs.show_canvas(window.tabs.main)
    assert set(column(shown_table(window), "Layer")) == {
        node.name for node in window.editor.doc.nodes()
    }


def test_the_view_menu_shows_and_hides_the_dock(window, example, qtbot):
    window.open_file(example("lenet5_digits"))
    toggle = window.layer_table_dock.toggleViewAction()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert toggle in view_menu.actions()
    assert toggle.isChecked()  # tabbed behind Problems at first
    toggle.trigger()
    assert not window.layer_table_dock.isVisible()
    toggle.trigger()  # shown in front, not left behind another tab
    table = window.layer_tables.table()
    qtbot.waitUntil(table.on_screen)
    assert column(table, "Layer")[0] == "image"
