"""Mouse gestures on the canvas as objects: drawing a new wire, moving nodes, and dragging a
palette layer over the wires it can be spliced into."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from designer.ui.canvas import style
from designer.ui.canvas.items import EdgeItem, NodeItem, PortItem, wire_path
from designer.ui.canvas.wire_target import (
    SnapRing,
    nearest,
    node_body_at,
    ports_within,
    snap_target,
)
from designer.ui.palette_target import dtype_refusal
from nodes import LayerSpec

WIRE_REACH = 8.0  # a layer dropped this close to a wire (in scene units) is spliced into it


class NewLinkAction:
    """A wire being dragged out of a port; it ends on a compatible port or on empty canvas.
    While the pointer is near a port the wire fits (see wire_target), the wire's end snaps to
    it and a ring marks it: letting go there wires it."""

    def __init__(self, scene: QGraphicsScene, port: PortItem) -> None:
        self.scene, self.port = scene, port
        self.preview = QGraphicsPathItem()
        self.preview.setPen(QPen(style.SELECTED_COLOR, 2))
        self.preview.setZValue(3)
        scene.addItem(self.preview)
        self.ring = SnapRing()
        scene.addItem(self.ring)
        self.hovered: PortItem | None = None
        self.move(port.scenePos(), 0.0)

    def accepts(self, other: PortItem) -> bool:
        """Opposite directions on two nodes, and a dtype the input's layer takes (when known)."""
        if other.is_input == self.port.is_input or other.node_item is self.port.node_item:
            return False
        output, target = (other, self.port) if self.port.is_input else (self.port, other)
        return all(tensor.dtype in target.node_item.dtypes for tensor in output.tensors)

    def move(self, position: QPointF, reach: float) -> None:
        """Follow the pointer; `reach` is how far off a port (in scene units) still snaps.
        Nothing snaps while the pointer is still on the port the wire comes from."""
        home = self.port in self.scene.items(position)
        target = None if home else snap_target(self.scene, position, reach, self.accepts)
        if target is not self.hovered and self.hovered is not None:
            self.hovered.set_highlight(False)
        if target is not None:
            target.set_highlight(True)  # again: leaving it with the pointer unlit it
        self.hovered = target
        self.ring.mark(target)
        end = target.scenePos() if target is not None else position
        start, finish = (
            (end, self.port.scenePos()) if self.port.is_input else (self.port.scenePos(), end)
        )
        self.preview.setPath(wire_path(start, finish, self.port.node_item.down))

    def dropped_home(self, position: QPointF) -> bool:
        """Let go on the port it started from, or on that port's node: nothing to do."""
        under = self.scene.items(position)
        return self.port in under or node_body_at(self.scene, position) is self.port.node_item

    def refused_at(self, position: QPointF, reach: float) -> PortItem | None:
        """A port the wire may not join, for saying why: the one under `position`, or, on
        another node's box, that node's nearest port, or else the nearest within `reach`."""
        under = self.scene.items(position)
        for item in under:
            if isinstance(item, PortItem) and item is not self.port and not self.accepts(item):
                return item
        node = node_body_at(self.scene, position)
        if node is not None and node is not self.port.node_item:
            return nearest(node.inputs + node.outputs, position)
        refused = [
            port
            for port in ports_within(self.scene, position, reach)
            if port.node_item is not self.port.node_item and not self.accepts(port)
        ]
        return nearest(refused, position)

    def finish(self) -> tuple[PortItem, PortItem] | None:
        """Remove the preview; the (output, input) ports to wire, or None when none fits."""
        self.scene.removeItem(self.preview)
        self.scene.removeItem(self.ring)
        if self.hovered is None:
            return None
        self.hovered.set_highlight(False)
        return (self.hovered, self.port) if self.port.is_input else (self.port, self.hovered)


class MoveAction:
    """Nodes dragged with the mouse: where they started, to push one move command on release."""

    def __init__(self, items: list[NodeItem]) -> None:
        self.start = {item.node_id: item.pos() for item in items}
        self.items = items

    def moves(self) -> dict[str, tuple[float, float]]:
        return {
            item.node_id: (item.pos().x(), item.pos().y())
            for item in self.items
            if item.pos() != self.start[item.node_id]
        }


class SpliceAction:
    """A palette layer dragged over the canvas: the wire under it, when the layer can go into
    it (it has an input and an output, and takes the wire's dtype), is highlighted."""

    def __init__(self, scene: QGraphicsScene, spec: LayerSpec) -> None:
        self.scene, self.spec = scene, spec
        self.hovered: EdgeItem | None = None

    def wire_at(self, position: QPointF) -> EdgeItem | None:
        """The topmost wire within reach of `position`, unless a node is under it."""
        if any(isinstance(item, NodeItem | PortItem) for item in self.scene.items(position)):
            return None
        corner = QPointF(WIRE_REACH, WIRE_REACH)
        reach = QRectF(position - corner, position + corner)
        under = self.scene.items(reach, Qt.ItemSelectionMode.IntersectsItemShape)
        return next((item for item in under if isinstance(item, EdgeItem)), None)

    def refusal(self, wire: EdgeItem) -> str | None:
        """Why the layer cannot be spliced into `wire`, or None when it can."""
        spec = self.spec
        if not spec.inputs or not spec.outputs:
            side = "input" if not spec.inputs else "output"
            return f"{spec.name} has no {side}: it cannot go into a wire"
        source = wire.source.node_item
        return dtype_refusal(spec, wire.source.tensors, f"{source.kind} '{source.name}'")

    def move(self, position: QPointF) -> None:
        wire = self.wire_at(position)
        target = wire if wire is not None and self.refusal(wire) is None else None
        if target is not self.hovered:
            if self.hovered is not None:
                self.hovered.set_highlight(False)
            if target is not None:
                target.set_highlight(True)
            self.hovered = target

    def finish(self) -> EdgeItem | None:
        """The wire to splice the layer into, or None; its highlight goes."""
        wire, self.hovered = self.hovered, None
        if wire is not None:
            wire.set_highlight(False)
        return wire
