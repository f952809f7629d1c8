"""The canvas scene: mirrors the graph document item for item and turns gestures into edits."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
)
from shiboken6 import isValid

from designer.compiler import GraphReport
from designer.model import Edge, GraphDocument, Node
from designer.model.edits import wire
from designer.ui.canvas import style
from designer.ui.canvas.interactions import MoveAction, NewLinkAction
from designer.ui.canvas.items import EdgeItem, NodeItem, PortItem
from designer.ui.canvas.wire_target import snap_reach
from designer.ui.editor import GraphEditor
from nodes.block import BLOCK_KIND, BLOCK_PARAM

GRID = 20.0


def refusal(start: PortItem, end: PortItem) -> str:
    """Why a wire cannot join these two ports, in plain words."""
    if start.is_input == end.is_input:
        output, input_side = ("bottom", "top") if start.node_item.down else ("right", "left")
        return f"A wire goes from an output ({output} side) to an input ({input_side} side)"
    if start.node_item is end.node_item:
        return "A layer cannot feed itself"
    output, target = (end, start) if start.is_input else (start, end)
    dtypes = ", ".join(sorted({tensor.dtype for tensor in output.tensors}))
    takes = " or ".join(target.node_item.dtypes)
    return f"{target.node_item.kind} '{target.node_item.name}' takes {takes} tensors, not {dtypes}"


def port_layout(doc: GraphDocument, node: Node) -> tuple[list, list]:
    """The ports the node's item should have: its spec's, then the stale ones its wires use."""
    spec, (stale_in, stale_out) = node.spec, doc.stale_ports(node.id)
    return (
        [(port.name, False) for port in spec.inputs] + [(name, True) for name in stale_in],
        [(port.name, False) for port in spec.outputs] + [(name, True) for name in stale_out],
    )


class GraphScene(QGraphicsScene):
    """Items are made and updated only from document events; they never hold saved state."""

    wire_dropped_on_canvas = Signal(object, QPointF)
    rename_requested = Signal(str)
    open_requested = Signal(str)
    context_menu_requested = Signal(str, QPoint)

    def __init__(self, editor: GraphEditor) -> None:
        super().__init__()
        self.editor = editor
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[str, EdgeItem] = {}
        self.link: NewLinkAction | None = None
        self.move_action: MoveAction | None = None
        self.frozen: set[str] = set()  # nodes shown frozen, those put back by undo too
        self.swept: set[str] = set()  # nodes shown swept, likewise
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        events = editor.doc.events
        events.node_added.connect(self.add_node_item)
        events.node_removed.connect(self.remove_node_item)
        events.edge_added.connect(self.add_edge_item)
        events.edge_removed.connect(self.remove_edge_item)
        events.param_changed.connect(self.sync_node)
        events.node_renamed.connect(self.sync_node)
        events.node_moved.connect(self.sync_node)
        events.flow_changed.connect(self.flow_changed)
        editor.analysis_changed.connect(self.show_report)
        editor.doc.blocks.events.block_changed.connect(self.block_changed)
        for node in editor.doc.nodes():
            self.add_node_item(node)
        for edge in editor.doc.edges():
            self.add_edge_item(edge)

    def detach(self) -> None:
        """Stop following the document: a block's graph outlives the tab that showed it."""
        events = self.editor.doc.events
        for signal, slot in (
            (events.node_added, self.add_node_item),
            (events.node_removed, self.remove_node_item),
            (events.edge_added, self.add_edge_item),
            (events.edge_removed, self.remove_edge_item),
            (events.param_changed, self.sync_node),
            (events.node_renamed, self.sync_node),
            (events.node_moved, self.sync_node),
            (events.flow_changed, self.flow_changed),
            (self.editor.doc.blocks.events.block_changed, self.block_changed),
        ):
            signal.disconnect(slot)

    # -- mirroring the model -----------------------------------------------------------------

    def add_node_item(self, node: Node) -> None:
        doc = self.editor.doc
        item = NodeItem(node, doc.stale_ports(node.id), doc.flow)
        item.set_frozen(node.id in self.frozen)
        item.set_swept(node.id in self.swept)
        self.node_items[node.id] = item
        self.addItem(item)

    def block_changed(self, name: str) -> None:
        """A block's definition changed: its instances here may have new ports or params."""
        if not isValid(self):
            return
        blocks, doc = self.editor.doc.blocks, self.editor.doc
        for node in doc.nodes():
            if node.kind != BLOCK_KIND or node.id not in self.node_items:
                continue
            inner = node.params.get(BLOCK_PARAM)
            if inner not in blocks:  # mid-undo, a block can go before its last instance here
                continue
            if inner == name or name in blocks.uses(inner):
                self.refit_node_item(node)

    def refit_node_item(self, node: Node) -> None:
        """Give the node's item the ports its spec and wires need now (remade if they differ)."""
        item = self.node_items[node.id]
        if item.port_layout() == port_layout(self.editor.doc, node):
            self.sync_node(node)
            return
        wired = [self.editor.doc.edge(edge.edge_id) for edge in list(item.edges)]
        for edge in wired:
            self.remove_edge_item(edge)
        selected, report, live = item.isSelected(), item.report, item.live
        self.removeItem(self.node_items.pop(node.id))
        self.add_node_item(node)
        new = self.node_items[node.id]
        new.set_report(report)
        new.set_live(live)
        new.setSelected(selected)
        for edge in wired:
            self.add_edge_item(edge)

    def remove_node_item(self, node: Node) -> None:
        item = self.node_items.pop(node.id)
        self.removeItem(item)

    def add_edge_item(self, edge: Edge) -> None:
        source = self.node_items[edge.source].port(edge.source_port, is_input=False)
        target = self.node_items[edge.target].port(edge.target_port, is_input=True)
        if source is None or target is None:  # a wire put back to a port its block has lost
            for node_id in {edge.source, edge.target}:
                self.refit_node_item(self.editor.doc.node(node_id))
            source = self.node_items[edge.source].port(edge.source_port, is_input=False)
            target = self.node_items[edge.target].port(edge.target_port, is_input=True)
        item = EdgeItem(edge, source, target)
        self.edge_items[edge.id] = item
        self.addItem(item)

    def remove_edge_item(self, edge: Edge) -> None:
        item = self.edge_items.pop(edge.id)
        item.detach()
        self.removeItem(item)
        for port in (item.source, item.target):
            if port.gone and port.node_id in self.editor.doc:  # its last wire may have gone
                self.refit_node_item(self.editor.doc.node(port.node_id))

    def sync_node(self, node: Node, *_) -> None:
        item = self.node_items[node.id]
        if item.name != node.name:
            for edge in item.edges:
                edge.setToolTip("")  # its text names both ends: the next report writes it anew
        item.sync(node)

    def flow_changed(self, _old: str) -> None:
        """The graph flows the other way: ports move to the edges that face it."""
        for item in self.node_items.values():
            item.place_ports(self.editor.doc.flow)

    def show_report(self, report: GraphReport) -> None:
        """Update the items whose report changed; the analysis keeps unchanged ones as they were.
        A wire shows its source's shape, so only wires out of changed nodes need new text."""
        changed = set()
        for node_id, item in self.node_items.items():
            node_report = report.nodes.get(node_id)
            if node_report is not item.report:
                item.set_report(node_report)
                changed.add(node_id)
        for item in self.edge_items.values():
            if item.source.node_id in changed or not item.toolTip():
                source = report.nodes.get(item.source.node_id)
                output = source.output if source is not None else None
                item.set_shape_text(str(output) if output is not None else "shape unknown")

    def show_live(self, layers: dict) -> None:
        """Live per-layer values of the running network by node id; an empty dict clears them."""
        for node_id, item in self.node_items.items():
            stats = layers.get(node_id)
            if stats is not None or item.live is not None:
                item.set_live(stats)

    def show_heat(self, heats: dict) -> None:
        """A layer profile's heat map by node id (items.Heat); an empty dict clears it."""
        for node_id, item in self.node_items.items():
            item.set_heat(heats.get(node_id))

    def show_frozen(self, node_ids: set[str]) -> None:
        """Grey the nodes whose layers keep their starting weights, and give them a lock."""
        self.frozen = set(node_ids)
        for node_id, item in self.node_items.items():
            item.set_frozen(node_id in node_ids)

    def show_swept(self, node_ids: set[str]) -> None:
        """Tag the nodes with a swept param."""
        self.swept = set(node_ids)
        for node_id, item in self.node_items.items():
            item.set_swept(node_id in node_ids)

    def nodes_rect(self) -> QRectF:
        """Where the nodes are, each with its ports and badges (empty without nodes)."""
        rect = QRectF()
        for item in self.node_items.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def inputs_rect(self) -> QRectF:
        """Where the nodes no wire goes into are: the graph's start."""
        rect = QRectF()
        for item in self.node_items.values():
            if not any(edge.target.node_item is item for edge in item.edges):
                rect = rect.united(item.sceneBoundingRect())
        return rect

    # -- selection helpers ---------------------------------------------------------------------

    def selected_node_ids(self) -> list[str]:
        return [item.node_id for item in self.selectedItems() if isinstance(item, NodeItem)]

    def selected_edge_ids(self) -> list[str]:
        return [item.edge_id for item in self.selectedItems() if isinstance(item, EdgeItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for node_id in node_ids:
            if node_id in self.node_items:
                self.node_items[node_id].setSelected(True)

    # -- gestures ------------------------------------------------------------------------------

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            port = next(
                (item for item in self.items(event.scenePos()) if isinstance(item, PortItem)), None
            )
            if port is not None:
                self.link = NewLinkAction(self, port)
                event.accept()
                return
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            moving = [item for item in self.selectedItems() if isinstance(item, NodeItem)]
            self.move_action = MoveAction(moving) if moving else None

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.link is not None:
            self.link.move(event.scenePos(), snap_reach(event))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.link is not None:
            link, self.link = self.link, None
            reach = snap_reach(event)
            link.move(event.scenePos(), reach)
            refused = link.refused_at(event.scenePos(), reach)
            ends = link.finish()
            if ends is not None:
                self.wire_ports(*ends)
            elif refused is not None:
                self.editor.edit_failed.emit(refusal(link.port, refused))
            elif not link.dropped_home(event.scenePos()):
                self.wire_dropped_on_canvas.emit(link.port, event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if self.move_action is not None:
            moves, self.move_action = self.move_action.moves(), None
            if moves and self.editor.refused():
                for node_id in moves:
                    self.sync_node(self.editor.doc.node(node_id))
            elif moves:
                self.editor.edit(
                    f"Move {len(moves)} layer(s)",
                    lambda doc: [doc.move(node_id, place) for node_id, place in moves.items()],
                )

    def node_item_at(self, position: QPointF) -> NodeItem | None:
        for item in self.items(position):
            if isinstance(item, NodeItem):
                return item
        return None

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        """On a node's title: rename it; elsewhere on a node: open it (a block's inside)."""
        item = self.node_item_at(event.scenePos())
        if item is None:
            super().mouseDoubleClickEvent(event)
            return
        if item.title_rect().contains(item.mapFromScene(event.scenePos())):
            self.rename_requested.emit(item.node_id)
        else:
            self.open_requested.emit(item.node_id)
        event.accept()

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        item = self.node_item_at(event.scenePos())
        if item is None:
            super().contextMenuEvent(event)
            return
        self.context_menu_requested.emit(item.node_id, event.screenPos())
        event.accept()

    def wire_ports(self, output: PortItem, input_port: PortItem) -> None:
        names = f"{output.node_item.name} \u2192 {input_port.node_item.name}"
        self.editor.edit(
            f"Wire {names}",
            lambda doc: wire(doc, output.node_id, output.name, input_port.node_id, input_port.name),
        )

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, style.canvas_color())
        scale = painter.worldTransform().m11()
        if scale < 0.35:
            return
        painter.setPen(QPen(style.grid_color(), 0))
        left = math.floor(rect.left() / GRID) * GRID
        top = math.floor(rect.top() / GRID) * GRID
        lines = []
        x = left
        while x < rect.right():
            lines.append(QLineF(x, rect.top(), x, rect.bottom()))
            x += GRID
        y = top
        while y < rect.bottom():
            lines.append(QLineF(rect.left(), y, rect.right(), y))
            y += GRID
        painter.drawLines(lines)  # one call: the canvas repaints while a network trains
