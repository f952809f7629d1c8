"""Real mouse events on pyqtgraph plots, at points given in the plot's own coordinates."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from tests.ui.gestures import LEFT, NO_BUTTON, send_mouse

RIGHT = Qt.MouseButton.RightButton
MOVE_GAP_MS = 15


def on_screen(widget, x: float, y: float) -> QPoint:
    """Where the plot point (x, y) (log10 on a log axis) is in the widget's viewport."""
    view = widget.getPlotItem().getViewBox()
    return widget.mapFromScene(view.mapViewToScene(QPointF(x, y)))


def hover(widget, point: QPoint) -> None:
    """The mouse moves onto `point` of the plot, no button held; as a hand would, not within
    pyqtgraph's 10 ms (it ignores moves that come faster, at 100 a second)."""
    QTest.qWait(MOVE_GAP_MS)
    send_mouse(widget, QEvent.Type.MouseMove, point, NO_BUTTON, NO_BUTTON)


def leave(widget) -> None:
    QApplication.sendEvent(widget.viewport(), QEvent(QEvent.Type.Leave))


def context_menu(widget, point: QPoint) -> QMenu:
    """Right-click the plot at `point`; the menu it pops up."""
    send_mouse(widget, QEvent.Type.MouseButtonPress, point, RIGHT, RIGHT)
    send_mouse(widget, QEvent.Type.MouseButtonRelease, point, RIGHT, NO_BUTTON)
    menu = widget.getPlotItem().getViewBox().menu
    assert menu.isVisible()
    return menu


def choose(menu: QMenu, text: str) -> None:
    """Click the menu's entry called `text`."""
    (action,) = [action for action in menu.actions() if action.text() == text]
    QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())
