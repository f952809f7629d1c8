"""Auto layout, Fit, the zoom keys and the minimap, with real keys and mouse: a long chain laid
out and fitted is read whole; top to bottom its wires run straight down from its input."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QFontInfo, QMouseEvent
from PySide6.QtWidgets import QApplication

from designer.project import Project
from designer.ui.canvas.view import MIN_TEXT_PX
from tests.helpers import long_chain
from tests.ui.gestures import LEFT, NO_BUTTON, key

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def open_chain(window, length: int = 15):
    """A chain as someone might have dropped it: a long, ragged row."""
    doc = long_chain(length)
    for index, node in enumerate(doc.nodes()):
        doc.move(node.id, (index * 230.0, (index % 3) * 40.0))
    window.set_project(Project(graph=doc))
    return window.editor.doc


def on_screen(view, item) -> QRectF:
    """Where a node (with its ports and badges) shows in the viewport."""
    return view.mapFromScene(item.sceneBoundingRect()).boundingRect().toRectF()


def text_height(view) -> float:
    """The height of node text on screen, in pixels: the font's, times the zoom."""
    return QFontInfo(view.viewport().font()).pixelSize() * view.transform().m11()


def test_auto_layout_then_fit_shows_a_long_chain_whole_and_readable(window):
    open_chain(window)
    view = window.view
    key(view, Qt.Key.Key_L, CTRL)
    view.centerOn(QPointF(5000, 5000))
    view.scale(0.3, 0.3)
    key(view, Qt.Key.Key_F)
    assert text_height(view) >= MIN_TEXT_PX
    viewport = QRectF(view.viewport().rect())
    bar = QRectF(view.zoom_bar.geometry().translated(-view.viewport().pos()))
    for item in window.scene.node_items.values():
        assert viewport.contains(on_screen(view, item)), item.name
        assert not bar.intersects(on_screen(view, item)), item.name
    assert view.zoom_bar.level.text() == f"{view.transform().m11():.0%}"
    assert view.minimap.isHidden()  # everything is in view: nothing to find on a map


def test_a_graph_too_long_to_read_whole_is_fitted_from_its_input(window):
    doc = open_chain(window, 40)
    view = window.view
    key(view, Qt.Key.Key_F)
    assert text_height(view) >= MIN_TEXT_PX
    viewport = QRectF(view.viewport().rect())
    items = window.scene.node_items
    first, last = items[doc.nodes()[0].id], items[doc.nodes()[-1].id]
    assert viewport.contains(on_screen(view, first))
    assert not viewport.intersects(on_screen(view, last))
    assert on_screen(view, first).left() < viewport.width() / 4  # the start, not the middle


def test_top_to_bottom_runs_wires_straight_down_from_the_input_and_undoes(window):
    doc = open_chain(window)
    view, scene = window.view, window.scene
    key(view, Qt.Key.Key_L, CTRL | SHIFT)
    assert doc.flow == "down"
    for edge in scene.edge_items.values():
        start, end = edge.source.scenePos(), edge.target.scenePos()
        assert start.x() == end.x() and start.y() < end.y()
        assert edge.path().boundingRect().width() < 1
    for item in scene.node_items.values():
        assert all(port.pos().y() == 0 for port in item.inputs)
        assert all(port.pos().y() == item.height for port in item.outputs)
    # Too long to read whole: the view starts at the input, at a readable size.
    assert text_height(view) >= MIN_TEXT_PX
    viewport = QRectF(view.viewport().rect())
    first = on_screen(view, scene.node_items[doc.nodes()[0].id])
    assert viewport.contains(first) and first.top() < 60
    assert not viewport.contains(on_screen(view, scene.node_items[doc.nodes()[-1].id]))
    key(view, Qt.Key.Key_Z, CTRL)
    assert doc.flow == "right"
    item = scene.node_items[doc.nodes()[1].id]
    assert item.inputs[0].pos().x() == 0 and item.outputs[0].pos().x() > 0
    key(view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert doc.flow == "down" and item.inputs[0].pos().y() == 0


def test_zoom_keys_change_the_shown_level(window):
    open_chain(window, 5)
    view = window.view
    key(view, Qt.Key.Key_0, CTRL)
    assert view.transform().m11() == 1.0 and view.zoom_bar.level.text() == "100%"
    key(view, Qt.Key.Key_Plus, CTRL)
    assert view.transform().m11() == 1.25 and view.zoom_bar.level.text() == "125%"
    key(view, Qt.Key.Key_Minus, CTRL)
    key(view, Qt.Key.Key_Minus, CTRL)
    assert view.zoom_bar.level.text() == "80%"
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    shortcuts = {a.text(): a.shortcut().toString() for a in view_menu.actions()}
    assert shortcuts["Zoom &In"] == "Ctrl++" and shortcuts["Zoom &Out"] == "Ctrl+-"
    assert shortcuts["&Actual Size (100%)"] == "Ctrl+0"


def press_drag_release(widget, start: QPointF, end: QPointF, steps: int = 5) -> None:
    """A real left-button drag inside `widget`, from `start` to `end` (its coordinates)."""

    def send(kind, point, button, buttons):
        global_point = QPointF(widget.mapToGlobal(point.toPoint()))
        event = QMouseEvent(kind, point, global_point, button, buttons, Qt.KeyboardModifier(0))
        QApplication.sendEvent(widget, event)

    send(QEvent.Type.MouseButtonPress, start, LEFT, LEFT)
    for step in range(1, steps + 1):
        send(QEvent.Type.MouseMove, start + (end - start) * step / steps, NO_BUTTON, LEFT)
    send(QEvent.Type.MouseButtonRelease, end, LEFT, NO_BUTTON)


def test_dragging_on_the_minimap_moves_the_view(window):
    doc = open_chain(window)
    view = window.view
    key(view, Qt.Key.Key_0, CTRL)
    minimap = view.minimap
    assert minimap.isVisible()  # part of the chain is out of view
    first, last = (window.scene.node_items[node.id] for node in (doc.nodes()[0], doc.nodes()[-1]))
    to_minimap = minimap.to_minimap()
    start = to_minimap.map(first.sceneBoundingRect().center())
    end = to_minimap.map(last.sceneBoundingRect().center())
    press_drag_release(minimap, start, end)
    viewport = QRectF(view.viewport().rect())
    assert viewport.contains(on_screen(view, last))
    assert not viewport.intersects(on_screen(view, first))
    center = view.mapToScene(view.viewport().rect().center())
    assert (center - last.sceneBoundingRect().center()).manhattanLength() < 40
