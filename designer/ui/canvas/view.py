"""The canvas view: zoom, pan, fit, rubber-band selection, palette drops (on empty canvas, or
into a wire); a zoom bar, a minimap."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QFontInfo,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView

from designer.ui.canvas.interactions import SpliceAction
from designer.ui.canvas.items import BOUNDS_MARGINS
from designer.ui.canvas.minimap import Minimap
from designer.ui.canvas.scene import GraphScene
from designer.ui.canvas.zoom_bar import ZoomBar
from designer.ui.palette_target import palette_spec

KIND_MIME = "application/x-netdesigner-kind"
ZOOM_STEP = 1.15  # one notch of the wheel
KEY_ZOOM_STEP = 1.25
ZOOM_RANGE = (0.1, 4.0)
ARROW_STEP = 10.0
MIN_TEXT_PX = 9.0  # node text smaller than this on screen is hard to read
FIT_MARGIN = 24.0  # pixels round a fitted graph
OVERLAY_GAP = 8  # pixels between the corner's zoom bar and minimap and the edges
MINIMAP_SIZE = (180, 112)
SCENE_MARGIN = 20_000.0


class GraphView(QGraphicsView):
    """Middle-drag or space-drag pans; the wheel zooms around the cursor; F fits all."""

    kind_dropped = Signal(str, QPointF)
    kind_dropped_on_wire = Signal(str, str, QPointF)  # kind, wire id, scene point
    zoom_changed = Signal(float)

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
        self.zoom_bar = ZoomBar(self, self.zoom_out, self.actual_size, self.zoom_in, self.fit_all)
        self.minimap = Minimap(self)
        self.zoom_changed.connect(self.zoom_bar.show_level)
        self.zoom_changed.connect(self.refresh_minimap)
        scene.changed.connect(self.refresh_minimap)
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.valueChanged.connect(self.refresh_minimap)

    @property
    def graph_scene(self) -> GraphScene:
        return self.scene()

    # -- zoom ----------------------------------------------------------------------------------

    def zoom(self, factor: float, at_cursor: bool = True) -> None:
        """Zoom by `factor` round the mouse cursor (or the view's centre), within ZOOM_RANGE."""
        current = self.transform().m11()
        factor = max(ZOOM_RANGE[0] / current, min(ZOOM_RANGE[1] / current, factor))
        if not at_cursor:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.scale(factor, factor)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.zoom_changed.emit(self.transform().m11())

    def zoom_in(self) -> None:
        self.zoom(KEY_ZOOM_STEP, at_cursor=False)

    def zoom_out(self) -> None:
        self.zoom(1 / KEY_ZOOM_STEP, at_cursor=False)

    def actual_size(self) -> None:
        """100%, round the view's centre."""
        center = self.center_point()
        self.set_zoom(1.0)
        self.centerOn(center)

    def set_zoom(self, scale: float) -> None:
        self.setTransform(QTransform.fromScale(scale, scale))
        self.zoom_changed.emit(scale)

    def readable_scale(self) -> float:
        """The smallest zoom at which node text is MIN_TEXT_PX high on screen (at most 100%)."""
        return min(1.0, MIN_TEXT_PX / QFontInfo(self.viewport().font()).pixelSize())

    def grow_scene_rect(self) -> None:
        """Room to pan around every node, however far the graph reaches."""
        items = self.graph_scene.itemsBoundingRect()
        margin = SCENE_MARGIN
        self.setSceneRect(items.adjusted(-margin, -margin, margin, margin).united(self.sceneRect()))

    def free_rect(self) -> QRectF:
        """The part of the viewport a fitted graph may fill: inside a margin, above the zoom
        bar."""
        bottom = FIT_MARGIN + self.zoom_bar.sizeHint().height() + OVERLAY_GAP
        return QRectF(self.viewport().rect()).adjusted(FIT_MARGIN, FIT_MARGIN, -FIT_MARGIN, -bottom)

    def layout_room(self) -> tuple[float, float]:
        """How large (in scene units, from the first node's position to the last's far corner)
        a graph laid out now may be and still fit in view readably."""
        free, scale = self.free_rect(), self.readable_scale()
        chrome = BOUNDS_MARGINS
        return (
            free.width() / scale - chrome.left() - chrome.right(),
            free.height() / scale - chrome.top() - chrome.bottom(),
        )

    def fit_all(self) -> None:
        """Show every node, as large as fits up to 100%; a graph too large to read whole is
        shown from its start (its inputs) at the smallest readable zoom."""
        self.grow_scene_rect()
        nodes = self.graph_scene.nodes_rect()
        if nodes.isEmpty():
            return
        free = self.free_rect()
        scale = min(1.0, free.width() / nodes.width(), free.height() / nodes.height())
        if scale >= self.readable_scale():
            self.set_zoom(scale)
            self.show_at(nodes.center(), free.center())
            return
        self.set_zoom(self.readable_scale())
        width, height = free.width() / self.readable_scale(), free.height() / self.readable_scale()
        inputs = self.graph_scene.inputs_rect()
        focus = (nodes if inputs.isEmpty() else inputs).center()
        left = window_start(nodes.left(), nodes.right(), focus.x(), width)
        top = window_start(nodes.top(), nodes.bottom(), focus.y(), height)
        self.show_at(QPointF(left + width / 2, top + height / 2), free.center())

    def show_at(self, scene_point: QPointF, at: QPointF) -> None:
        """Scroll so that `scene_point` shows at the viewport point `at`."""
        offset = (at - QRectF(self.viewport().rect()).center()) / self.transform().m11()
        self.centerOn(scene_point - offset)

    # -- the corner's zoom bar and minimap ------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        area = self.viewport().geometry()
        bar = self.zoom_bar.sizeHint()
        self.zoom_bar.setGeometry(
            QRect(
                area.right() + 1 - OVERLAY_GAP - bar.width(),
                area.bottom() + 1 - OVERLAY_GAP - bar.height(),
                bar.width(),
                bar.height(),
            )
        )
        width = min(MINIMAP_SIZE[0], area.width() // 3)
        height = width * MINIMAP_SIZE[1] // MINIMAP_SIZE[0]
        self.minimap.setGeometry(
            QRect(
                area.right() + 1 - OVERLAY_GAP - width,
                self.zoom_bar.y() - OVERLAY_GAP // 2 - height,
                width,
                height,
            )
        )
        self.refresh_minimap()

    def refresh_minimap(self, *_) -> None:
        self.minimap.refresh()

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


def window_start(low: float, high: float, focus: float, size: float) -> float:
    """Where a window `size` long begins on one axis to show the span low..high: centred on the
    span when it fits, else round `focus` but not past either end of the span."""
    if high - low <= size:
        return (low + high - size) / 2
    return min(max(focus - size / 2, low), high - size)
