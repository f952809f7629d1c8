"""Real mouse, keyboard and drop events for GUI tests, in scene coordinates."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsView

LEFT = Qt.MouseButton.LeftButton
NO_BUTTON = Qt.MouseButton.NoButton


def viewport_point(view: QGraphicsView, scene_point: QPointF) -> QPoint:
    return view.mapFromScene(scene_point)


def send_mouse(
    view, kind, point: QPoint, button, buttons, modifiers=Qt.KeyboardModifier.NoModifier
):
    local = QPointF(point)
    global_point = QPointF(view.viewport().mapToGlobal(point))
    event = QMouseEvent(kind, local, global_point, button, buttons, modifiers)
    QApplication.sendEvent(view.viewport(), event)


def drag(view: QGraphicsView, start: QPointF, end: QPointF, steps: int = 6) -> None:
    """Press the left button at `start`, move to `end` holding it, release there."""
    view.centerOn((start + end) / 2)
    a, b = viewport_point(view, start), viewport_point(view, end)
    send_mouse(view, QEvent.Type.MouseButtonPress, a, LEFT, LEFT)
    for step in range(1, steps + 1):
        point = a + (b - a) * step / steps
        send_mouse(view, QEvent.Type.MouseMove, point, NO_BUTTON, LEFT)
    send_mouse(view, QEvent.Type.MouseButtonRelease, b, LEFT, NO_BUTTON)


def click(view: QGraphicsView, at: QPointF, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    view.centerOn(at)
    point = viewport_point(view, at)
    send_mouse(view, QEvent.Type.MouseButtonPress, point, LEFT, LEFT, modifiers)
    send_mouse(view, QEvent.Type.MouseButtonRelease, point, LEFT, NO_BUTTON, modifiers)


def double_click(view: QGraphicsView, at: QPointF) -> None:
    view.centerOn(at)
    point = viewport_point(view, at)
    send_mouse(view, QEvent.Type.MouseButtonPress, point, LEFT, LEFT)
    send_mouse(view, QEvent.Type.MouseButtonRelease, point, LEFT, NO_BUTTON)
    send_mouse(view, QEvent.Type.MouseButtonDblClick, point, LEFT, LEFT)
    send_mouse(view, QEvent.Type.MouseButtonRelease, point, LEFT, NO_BUTTON)


def drag_layer_over(window, kind: str, at: QPointF) -> QPointF:
    """Drag a layer out of the palette over the canvas, to scene point `at`, holding it there;
    returns the viewport point, for drop_layer."""
    palette = window.palette
    mime = palette.tree.mimeData([palette.item_for(kind)])
    view = window.view
    view.centerOn(at)
    point = QPointF(viewport_point(view, at))
    actions, no_key = Qt.DropAction.CopyAction, Qt.KeyboardModifier.NoModifier
    for event in (
        QDragEnterEvent(point.toPoint(), actions, mime, NO_BUTTON, no_key),
        QDragMoveEvent(point.toPoint(), actions, mime, NO_BUTTON, no_key),
    ):
        QApplication.sendEvent(view.viewport(), event)
    return point


def drop_layer(window, kind: str, at: QPointF) -> None:
    """Drag a layer out of the palette and drop it on the canvas at scene point `at`."""
    point = drag_layer_over(window, kind, at)
    mime = window.palette.tree.mimeData([window.palette.item_for(kind)])
    drop = QDropEvent(
        point, Qt.DropAction.CopyAction, mime, NO_BUTTON, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window.view.viewport(), drop)


def double_click_in_palette(window, kind: str) -> None:
    """Double-click a palette item through the window, as the window system delivers it."""
    tree = window.palette.tree
    item = window.palette.item_for(kind)
    tree.scrollToItem(item)
    point = tree.viewport().mapTo(window, tree.visualItemRect(item).center())
    QTest.mouseDClick(window.windowHandle(), LEFT, Qt.KeyboardModifier.NoModifier, point)


def key(widget, key_code, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, key_code, modifiers)


def type_into(widget, text: str) -> None:
    """Replace a field's text by typing, then press Enter."""
    line = widget.lineEdit() if hasattr(widget, "lineEdit") else widget
    widget.setFocus()
    line.selectAll()
    QTest.keyClicks(line, text)
    QTest.keyClick(line, Qt.Key.Key_Return)
