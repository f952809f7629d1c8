"""The canvas view: zoom at the cursor, pan, fit, rubber-band selection, palette drops (on
empty canvas, or into a wire)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsView

from designer.ui.canvas.interactions import SpliceAction
from designer.ui.canvas.scene import GraphScene
from designer.ui.palette_target import palette_spec

KIND_MIME = "application/x-netdesigner-kind"
ZOOM_STEP = 1.15
ZOOM_RANGE = (0.1, 4.0)
ARROW_STEP = 10.0
READABLE_SCALE = 0.6
SCENE_MARGIN = 20_000.0


class GraphView(QGraphicsView):
    """Middle-drag or space-drag pans; the wheel zooms around the cursor; F fits all."""

    kind_dropped = Signal(str, QPointF)
    kind_dropped_on_wire = Signal(str, str, QPointF)  # kind, wire id, scene point

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
        self.splice: SpliceAction | None = None

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
        if not event.mimeData().hasFormat(KIND_MIME):
            super().dragEnterEvent(event)
            return
        spec = palette_spec(self.graph_scene.editor.doc, dropped_kind(event))
        self.splice = SpliceAction(self.graph_scene, spec) if spec is not None else None
        event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if not event.mimeData().hasFormat(KIND_MIME):
            super().dragMoveEvent(event)
            return
        if self.splice is not None:
            self.splice.move(self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        if self.splice is not None:
            self.splice.finish()
            self.splice = None
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:
        """A layer dropped into a wire it can go into is spliced there; elsewhere it is added
        where it fell (saying why a wire under it would not take it)."""
        if not event.mimeData().hasFormat(KIND_MIME):
            super().dropEvent(event)
            return
        kind, point = dropped_kind(event), self.mapToScene(event.position().toPoint())
        splice, self.splice = self.splice, None
        wire = refusal = None
        if splice is not None:
            splice.move(point)
            under = splice.wire_at(point)
            refusal = splice.refusal(under) if under is not None else None
            wire = splice.finish()
        if wire is not None:
            self.kind_dropped_on_wire.emit(kind, wire.edge_id, point)
        else:
            self.kind_dropped.emit(kind, point)
            if refusal:
                self.graph_scene.editor.edit_failed.emit(f"{refusal}: added beside the wire")
        event.acceptProposedAction()


def dropped_kind(event) -> str:
    return bytes(event.mimeData().data(KIND_MIME)).decode()
