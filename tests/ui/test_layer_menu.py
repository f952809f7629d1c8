"""The layer menu of a wire dropped on empty canvas, answered with real keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.ui.layer_menu import LayerMenu
from tests.ui.gestures import drag

REAL_CHOOSE = LayerMenu.choose  # taken before conftest refuses the menu in every test
DOWN, UP, ENTER = Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Return


def answer_menu(keys: list) -> None:
    """Once the menu is open, type `keys` into its window as the window system would."""

    def type_keys() -> None:
        menu = QApplication.activePopupWidget()
        try:
            for key in keys:
                QTest.keyClick(menu.windowHandle(), key)
        finally:
            menu.close()  # a key that did not close it must not leave the test waiting

    QTimer.singleShot(0, type_keys)


@pytest.mark.parametrize(
    ("keys", "kind"),
    [
        ([ENTER], "relu"),
        ([DOWN, DOWN, ENTER], "relu6"),
        ([DOWN, DOWN, UP, ENTER], "relu"),
        ([DOWN, ENTER], "relu"),
    ],
)
def test_keys_in_the_wire_drop_menu_add_the_match_wired(window, example, monkeypatch, keys, kind):
    monkeypatch.setattr(LayerMenu, "choose", REAL_CHOOSE)
    window.open_file(example("mlp_iris"))
    doc = window.editor.doc
    count = len(doc.nodes())
    relu = window.scene.node_items[doc.find("relu2").id]
    start = relu.outputs[0].scenePos()
    answer_menu([*"relu", *keys])
    drag(window.view, start, start + QPointF(120, 260))
    assert len(doc.nodes()) == count + 1
    added = doc.nodes()[-1]
    assert added.kind == kind
    assert [edge.source for edge in doc.in_edges(added.id)] == [doc.find("relu2").id]
    assert window.editor.undo_stack.count() == 1
