"""The minimap: the whole graph with the visible part marked; click or drag in it to go there."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QTransform
from PySide6.QtWidgets import QGraphicsView, QWidget

from designer.ui.canvas import style

PADDING = 6.0


class Minimap(QWidget):
    """Drawn from the scene's node and wire items each time it repaints: boxes in their
    category's colour, wires as thin lines, and the view's rectangle on top. It shows only
    while part of the graph is out of view."""

    def __init__(self, view: QGraphicsView) -> None:
        super().__init__(view)
        self.view = view
        self.drag_map: QTransform | None = None  # kept while dragging: the world moves with it
        self.setToolTip("Overview of the graph: click or drag to move the view")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def visible_rect(self) -> QRectF:
        return self.view.mapToScene(self.view.viewport().rect()).boundingRect()

    def refresh(self) -> None:
        """Show when some node is out of view (or while dragging), and repaint."""
        nodes = self.view.scene().nodes_rect()
        wanted = self.drag_map is not None or not (
            nodes.isEmpty() or self.visible_rect().contains(nodes)
        )
        self.setVisible(wanted)
        if wanted:
            self.update()

    def world(self) -> QRectF:
        """What the minimap shows: every node, and the part of the canvas in view."""
        return self.visible_rect().united(self.view.scene().nodes_rect())

    def to_minimap(self) -> QTransform:
        """Scene coordinates to the minimap's, the world scaled to fit, centred."""
        world = self.world()
        room = QRectF(self.rect()).adjusted(PADDING, PADDING, -PADDING, -PADDING)
        scale = min(room.width() / world.width(), room.height() / world.height())
        offset = room.center() - world.center() * scale
        return QTransform.fromTranslate(offset.x(), offset.y()).scale(scale, scale)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), style.canvas_color())
        painter.setPen(QPen(style.wire_color(), 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.setTransform(self.drag_map if self.drag_map is not None else self.to_minimap())
        scene = self.view.scene()
        painter.setPen(QPen(style.wire_color(), 0))  # cosmetic: one pixel at any scale
        for edge in scene.edge_items.values():
            painter.drawPath(edge.path())
        for item in scene.node_items.values():
            painter.setBrush(style.category_color(item.category))
            painter.drawRect(item.sceneBoundingRect())
        visible = QColor(style.SELECTED_COLOR)
        painter.setPen(QPen(visible, 0))
        visible.setAlpha(40)
        painter.setBrush(visible)
        painter.drawRect(self.visible_rect())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.drag_map = self.to_minimap()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            self.center_view_on(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.drag_map is not None:
            self.center_view_on(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.drag_map = None
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.refresh()
        event.accept()

    def center_view_on(self, point: QPointF) -> None:
        to_scene, _ = self.drag_map.inverted()
        self.view.centerOn(to_scene.map(point))
