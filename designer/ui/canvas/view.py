"""The canvas view: zoom at the cursor, pan, fit, rubber-band selection, palette drops."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from designer.ui.canvas.scene import GraphScene

KIND_MIME = "application/x-netdesigner-kind"
ZOOM_STEP = 1.15
ZOOM_RANGE = (0.1, 4.0)
ARROW_STEP = 10.0
READABLE_SCALE = 0.6
SCENE_MARGIN = 20_000.0


class GraphView(QGraphicsView):
    """Middle-drag or space-drag pans; the wheel zooms around the cursor; F fits all."""

    kind_dropped = Signal(str, QPointF)

    def __init__(self, scene: GraphScene) -> None:
        super().__init__(scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setAcceptDrops(True)
        self.grow_scene_rect()
        self._space_down = False
        self._pan_from: QPointF | None = None

    @property
    def graph_scene(self) -> GraphScene:
        return self.scene()

    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        factor = max(ZOOM_RANGE[0] / current, min(ZOOM_RANGE[1] / current, factor))
        self.scale(factor, factor)

    def grow_scene_rect(self) -> None:
        """Room to pan around every node, however far the graph reaches."""
        items = self.graph_scene.itemsBoundingRect()
        margin = SCENE_MARGIN
        self.setSceneRect(items.adjusted(-margin, -margin, margin, margin).united(self.sceneRect()))

    def fit_all(self) -> None:
        """Show every node; a graph too large to read whole is shown from its start instead."""
        self.grow_scene_rect()
        items = self.graph_scene.itemsBoundingRect()
        if items.isEmpty():
            return
        self.fitInView(items.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        scale = self.transform().m11()
        if scale > 1.0:
            self.resetTransform()
            self.centerOn(items.center())
        elif scale < READABLE_SCALE:
            self.resetTransform()
            self.scale(READABLE_SCALE, READABLE_SCALE)
            visible = self.viewport().rect()
            left = items.left() - 40 + visible.width() / READABLE_SCALE / 2
            self.centerOn(left, items.center().y())

    def center_point(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(ZOOM_STEP**steps)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
            self._space_down and event.button() == Qt.MouseButton.LeftButton
        ):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            horizontal, vertical = self.horizontalScrollBar(), self.verticalScrollBar()
            horizontal.setValue(horizontal.value() - round(delta.x()))
            vertical.setValue(vertical.value() - round(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        arrows = {
            Qt.Key.Key_Left: (-ARROW_STEP, 0),
            Qt.Key.Key_Right: (ARROW_STEP, 0),
            Qt.Key.Key_Up: (0, -ARROW_STEP),
            Qt.Key.Key_Down: (0, ARROW_STEP),
        }
        if key in arrows and self.graph_scene.selected_node_ids():
            self.nudge(*arrows[key])
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    def nudge(self, dx: float, dy: float) -> None:
        scene = self.graph_scene
        doc = scene.editor.doc
        moves = {}
        for node_id in scene.selected_node_ids():
            x, y = doc.node(node_id).position
            moves[node_id] = (x + dx, y + dy)
        scene.editor.edit(
            "Nudge layers", lambda d: [d.move(node_id, place) for node_id, place in moves.items()]
        )

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(KIND_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        if event.mimeData().hasFormat(KIND_MIME):
            kind = bytes(event.mimeData().data(KIND_MIME)).decode()
            self.kind_dropped.emit(kind, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)
