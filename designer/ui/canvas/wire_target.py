"""Where a wire being dragged would end: the fitting port nearest the pointer, within a reach
measured in screen pixels, or on the node under the pointer; and the ring that marks it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
)

from designer.ui.canvas import style
from designer.ui.canvas.items import NodeItem, PortItem

SNAP_PIXELS = 28.0  # a wire let go this close to a port it fits (on screen, at any zoom) joins it
RING_RADIUS = 2 * style.PORT_RADIUS


def snap_reach(event: QGraphicsSceneMouseEvent) -> float:
    """SNAP_PIXELS in scene units, at the zoom of the view the event happened in."""
    widget = event.widget()
    view = widget.parentWidget() if widget is not None else None
    scale = view.transform().m11() if isinstance(view, QGraphicsView) else 1.0
    return SNAP_PIXELS / scale


def node_body_at(scene: QGraphicsScene, position: QPointF) -> NodeItem | None:
    """The topmost node whose box (not the margin round it) is under `position`."""
    for item in scene.items(position):
        if isinstance(item, NodeItem) and item.body_rect().contains(item.mapFromScene(position)):
            return item
    return None


def distance(port: PortItem, position: QPointF) -> float:
    return QLineF(port.scenePos(), position).length()


def nearest(ports: list[PortItem], position: QPointF) -> PortItem | None:
    return min(ports, key=lambda port: distance(port, position), default=None)


def snap_target(
    scene: QGraphicsScene, position: QPointF, reach: float, fits: Callable[[PortItem], bool]
) -> PortItem | None:
    """The port a wire let go at `position` joins: on a node's box, that node's nearest port
    that `fits`; elsewhere, or when none of its ports fits, the nearest fitting port within
    `reach` (scene units)."""
    node = node_body_at(scene, position)
    if node is not None:
        on_node = nearest([port for port in node.inputs + node.outputs if fits(port)], position)
        if on_node is not None:
            return on_node
    return nearest([port for port in ports_within(scene, position, reach) if fits(port)], position)


def ports_within(scene: QGraphicsScene, position: QPointF, reach: float) -> list[PortItem]:
    """The ports whose centres are at most `reach` (scene units) from `position`."""
    corner = QPointF(reach, reach)
    around = scene.items(QRectF(position - corner, position + corner))
    return [
        item for item in around if isinstance(item, PortItem) and distance(item, position) <= reach
    ]


class SnapRing(QGraphicsEllipseItem):
    """A ring round the port a dragged wire will join if let go now; hidden when none."""

    def __init__(self) -> None:
        super().__init__(-RING_RADIUS, -RING_RADIUS, 2 * RING_RADIUS, 2 * RING_RADIUS)
        self.setPen(QPen(style.SELECTED_COLOR, 2.5))
        self.setBrush(Qt.BrushStyle.NoBrush)
        self.setZValue(4)
        self.hide()

    def mark(self, port: PortItem | None) -> None:
        if port is not None:
            self.setPos(port.scenePos())
        self.setVisible(port is not None)
