"""Canvas items: a layer node with typed ports, and a curved wire between two ports."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QLineF, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from designer.compiler import NodeReport
from designer.model import Edge, Node
from designer.model.layout import NODE_SIZE, PITCH, ROW_GAP
from designer.ui.canvas import style
from designer.ui.canvas.node_text import params_summary
from nodes import TensorInfo

TEXT_LEVEL_OF_DETAIL = 0.35
BOUNDS_MARGINS = QMarginsF(3, 10, 13, 4)  # round a node's body: its ports, outline and badges
BEND = 40.0  # how far a wire leaves a port straight along the flow, at least
BACK_BEND = 24.0  # the same for a wire that must turn back against the flow
CORNER = 18.0
COLUMN_GAP = PITCH["down"][1] - NODE_SIZE[0]  # between the columns of a graph flowing down
TRANSPOSE = QTransform(0, 1, 1, 0, 0, 0)  # swaps x and y: flowing down is flowing right, turned


def color_of(tensors: tuple[TensorInfo, ...]) -> QColor:
    """Ports and their wires: token ids (long) in their own colour, real values in the usual."""
    if any(tensor.dtype == "long" for tensor in tensors):
        return style.TOKEN_COLOR
    return style.wire_color()


class PortItem(QGraphicsEllipseItem):
    """A typed port on a node's edge (inputs left, outputs right; flowing down, top and bottom):
    it knows the tensors that pass it, shows them on hover, and is drawn in the colour of their
    dtype."""

    def __init__(
        self, node_item: NodeItem, name: str, is_input: bool, many: bool, gone: bool = False
    ) -> None:
        radius = style.PORT_RADIUS
        super().__init__(-radius, -radius, 2 * radius, 2 * radius, node_item)
        self.node_item, self.name, self.is_input, self.many = node_item, name, is_input, many
        self.gone = gone  # a port the block no longer has, kept while wires use it
        self.tensors: tuple[TensorInfo, ...] = ()
        self.setAcceptHoverEvents(True)
        self.setZValue(2)
        self.set_tensors(())

    def set_tensors(self, tensors: tuple[TensorInfo, ...]) -> None:
        if tensors == self.tensors and self.toolTip():
            return
        recolor = self.color() != color_of(tensors) or not self.toolTip()
        self.tensors = tensors
        kind = "input (takes many wires)" if self.many else "input" if self.is_input else "output"
        shapes = ", ".join(str(tensor) for tensor in tensors) or "shape unknown"
        if self.gone:
            shapes = "the block no longer has this port: wire anew or delete the wire"
        self.setToolTip(escape(f"{self.name}: {kind}, {shapes}"))
        if recolor:
            self.set_highlight(False)

    def color(self) -> QColor:
        return style.ERROR_COLOR if self.gone else color_of(self.tensors)

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def set_highlight(self, on: bool) -> None:
        color = style.SELECTED_COLOR if on else self.color()
        self.setBrush(QBrush(color if on or not self.is_input else style.canvas_color()))
        self.setPen(QPen(color, 2))

    def hoverEnterEvent(self, event) -> None:
        self.set_highlight(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self.set_highlight(False)
        super().hoverLeaveEvent(event)


@dataclass(frozen=True)
class Heat:
    """A node's place in a layer profile's heat map: `share` of the slowest layer's time
    (0..1) sets its colour, `text` is written on it."""

    share: float
    text: str


class NodeItem(QGraphicsItem):
    """A layer: its name, kind, key params and output shape; red outline and badge on error."""

    def __init__(
        self, node: Node, stale: tuple[list[str], list[str]] = ([], []), flow: str = "right"
    ) -> None:
        """`stale` names the input and output ports that wires use but the node's block no
        longer has: they are drawn, in red, until no wire uses them. `flow` is the graph's."""
        super().__init__()
        self.node_id = node.id
        self.report: NodeReport | None = None
        self.live = None  # the latest LayerStats of a running network
        self.flags: list = []  # what looks wrong in them (layer_stats.Flag)
        self.frozen = False  # its layer keeps its starting weights (training.freeze)
        self.heat: Heat | None = None  # its share of a profiled step (a view state, not saved)
        self.swept = False  # a param of it is swept (the project's sweep section)
        self.edges: set[EdgeItem] = set()
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
            | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable
        )
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)
        self.height = 8 + 4 * (style.ROW_HEIGHT + 4)  # name, kind, shape, live values
        spec = node.spec
        self.inputs = [PortItem(self, port.name, True, port.many) for port in spec.inputs]
        self.inputs += [PortItem(self, name, True, False, gone=True) for name in stale[0]]
        self.outputs = [PortItem(self, port.name, False, False) for port in spec.outputs]
        self.outputs += [PortItem(self, name, False, False, gone=True) for name in stale[1]]
        self.place_ports(flow)
        self.category = spec.category
        self.dtypes = spec.dtypes
        self.sync(node)

    def place_ports(self, flow: str) -> None:
        """Inputs on the left edge and outputs on the right, or, flowing down, on the top edge
        and the bottom one, spread evenly; the node's wires follow."""
        self.down = flow == "down"
        for ports, end in ((self.inputs, 0.0), (self.outputs, 1.0)):
            for index, port in enumerate(ports):
                share = (index + 1) / (len(ports) + 1)
                if self.down:
                    port.setPos(style.NODE_WIDTH * share, self.height * end)
                else:
                    port.setPos(style.NODE_WIDTH * end, self.height * share)
        for edge in self.edges:
            edge.update_path()

    def port(self, name: str, is_input: bool) -> PortItem | None:
        return next(
            (p for p in (self.inputs if is_input else self.outputs) if p.name == name), None
        )

    def port_layout(self) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
        """The input and output ports, in order, each as (name, gone)."""
        return [(p.name, p.gone) for p in self.inputs], [(p.name, p.gone) for p in self.outputs]

    def sync(self, node: Node) -> None:
        """Take the node's name, params and position from the model."""
        self.name, self.kind = node.name, node.spec.name
        self.summary = params_summary(node)
        if self.pos() != QPointF(*node.position):
            self.setPos(QPointF(*node.position))
        self.update()

    def set_report(self, report: NodeReport | None) -> None:
        self.report = report
        for port in self.outputs:
            port.set_tensors((report.output,) if report and report.output else ())
        for port in self.inputs:
            port.set_tensors(report.inputs if report else ())
        self.update_tooltip()

    def set_live(self, stats) -> None:
        """The layer's live values during training (None clears them); flags mark the node."""
        from designer.training.layer_stats import layer_flags  # torch is loaded by a run

        self.live = stats
        self.flags = layer_flags(stats) if stats is not None else []
        self.update_tooltip()

    def set_heat(self, heat: Heat | None) -> None:
        """Colour the node by its share of the profiled step (None: its own colour again)."""
        if heat != self.heat:
            self.heat = heat
            self.update_tooltip()

    def set_frozen(self, frozen: bool) -> None:
        if frozen != self.frozen:
            self.frozen = frozen
            self.update_tooltip()

    def set_swept(self, swept: bool) -> None:
        if swept != self.swept:
            self.swept = swept
            self.update_tooltip()

    def update_tooltip(self) -> None:
        report = self.report
        tips = [f"{self.kind} '{self.name}'"]
        if self.frozen:
            tips.append("frozen: keeps its starting weights while the rest trains")
        if self.swept:
            tips.append("swept: an experiment tries several values of its params")
        if report is not None and report.output is not None:
            tips.append(f"output {report.output}; {report.params:,} params; {report.macs:,} MACs")
        if report is not None:
            tips += [str(diagnostic) for diagnostic in report.diagnostics]
        if self.live is not None:
            tips.append(f"live: {self.live_text()}")
        if self.heat is not None:
            tips.append(f"profiled: {self.heat.text} (its share of a training step)")
        tips += [f"{flag.title}: {flag.advice}" for flag in self.flags]
        self.setToolTip("<br>".join(escape(tip) for tip in tips))
        self.update()

    def live_text(self) -> str:
        stats, parts = self.live, []
        if stats.grad_norm is not None:
            parts.append(f"\u2207 {stats.grad_norm:.2g}")
        if stats.activation_mean is not None:
            parts.append(f"\u03bc {stats.activation_mean:.2g} \u03c3 {stats.activation_std:.2g}")
        if stats.dead_fraction is not None:
            parts.append(f"dead {stats.dead_fraction:.0%}")
        return "  ".join(parts)

    @property
    def severity(self) -> str | None:
        if self.report is None or not self.report.diagnostics:
            return None
        return "error" if self.report.has_errors else "warning"

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, style.NODE_WIDTH, self.height).marginsAdded(BOUNDS_MARGINS)

    def body_rect(self) -> QRectF:
        return QRectF(0, 0, style.NODE_WIDTH, self.height)

    def title_rect(self) -> QRectF:
        return QRectF(10, 4, style.NODE_WIDTH - 20, style.ROW_HEIGHT + 2)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        body = self.body_rect()
        color = style.category_color(self.category)
        if self.frozen:  # greyed: its weights stay as they start
            color = style.frozen_color(color)
        if self.heat is not None:
            color = style.heat_color(self.heat.share)
        severity = self.severity
        outline = (
            style.SELECTED_COLOR
            if self.isSelected()
            else style.ERROR_COLOR
            if severity == "error"
            else style.LIVE_FLAG_COLOR
            if self.flags
            else color.darker(140)
        )
        width = 3.0 if self.isSelected() or severity == "error" or self.flags else 1.2
        painter.setPen(QPen(outline, width))
        painter.setBrush(QBrush(color))
        painter.drawRoundedRect(body, 7, 7)
        # Below a readable size only the box, its colour and the badge are drawn.
        if option.levelOfDetailFromTransform(painter.worldTransform()) >= TEXT_LEVEL_OF_DETAIL:
            self.paint_text(painter)
        if severity is not None:
            self.paint_badge(painter, severity)
        if self.flags:
            self.paint_badge(painter, "live")
        if self.frozen:
            self.paint_lock(painter)
        if self.swept:
            self.paint_sweep_badge(painter)

    def paint_text(self, painter: QPainter) -> None:
        painter.setPen(style.text_color() if style.is_dark() else QColor("#1b1f24"))
        bold = QFont(painter.font())
        bold.setBold(True)
        rows = [
            (bold, self.name),
            (painter.font(), f"{self.kind}  {self.summary}".rstrip()),
            (painter.font(), f"\u2192 {self.shape_text()}"),
        ]
        if self.heat is not None:  # what was measured, over the live values
            rows.append((bold, self.heat.text))
        elif self.live is not None:
            text = self.flags[0].title if self.flags else self.live_text()
            rows.append((bold if self.flags else painter.font(), text))
        y, width = 4.0, int(style.NODE_WIDTH - 24)
        for index, (font, text) in enumerate(rows):
            if index == 3 and self.flags and self.heat is None:
                painter.setPen(style.LIVE_FLAG_COLOR)
            painter.setFont(font)
            elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, width)
            painter.drawText(QRectF(12, y, width, style.ROW_HEIGHT + 4), elided)
            y += style.ROW_HEIGHT + 4

    def shape_text(self) -> str:
        if self.report is None:  # the project's first analysis is still to come
            return "working out\u2026"
        if self.report.output is None:
            return "?"
        return str(self.report.output)

    def paint_badge(self, painter: QPainter, severity: str) -> None:
        """A round "!" on the top right for problems of the graph, on the top left for
        problems seen in the running network (severity "live")."""
        color = {"error": style.ERROR_COLOR, "live": style.LIVE_FLAG_COLOR}.get(
            severity, style.WARNING_COLOR
        )
        center = QPointF(style.NODE_WIDTH - 2 if severity != "live" else 2, -1)
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(QBrush(color))
        painter.drawEllipse(center, 8, 8)
        font = QFont(painter.font())
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(
            QRectF(center.x() - 8, center.y() - 8, 16, 16), Qt.AlignmentFlag.AlignCenter, "!"
        )

    def paint_lock(self, painter: QPainter) -> None:
        """A padlock on the bottom right: the layer is frozen."""
        x, y = style.NODE_WIDTH - 20, self.height - 18
        painter.setPen(QPen(style.LOCK_COLOR, 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(x + 2.5, y, 9, 10), 0, 180 * 16)  # the shackle
        painter.drawLine(QPointF(x + 2.5, y + 5), QPointF(x + 2.5, y + 7))
        painter.drawLine(QPointF(x + 11.5, y + 5), QPointF(x + 11.5, y + 7))
        painter.setPen(QPen(style.LOCK_COLOR, 1.0))
        painter.setBrush(QBrush(style.LOCK_COLOR))
        painter.drawRoundedRect(QRectF(x, y + 7, 14, 10), 2, 2)  # the body

    def paint_sweep_badge(self, painter: QPainter) -> None:
        """A "swept" tag on the bottom right, left of the lock: a param of it is swept."""
        tag = QRectF(style.NODE_WIDTH - 70, self.height - 18, 44, 15)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(style.SWEEP_COLOR))
        painter.drawRoundedRect(tag, 7, 7)
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.8)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, "swept")

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        return super().itemChange(change, value)


def wire_path(
    start: QPointF, end: QPointF, down: bool = False, across: float | None = None
) -> QPainterPath:
    """A wire from an output port to an input port: an S-curve along the flow (right, or
    down), or, to an input behind the output, a rounded path that runs back at `across` (a y;
    flowing down, an x), by default midway between the two."""
    if down:
        flipped = wire_path(TRANSPOSE.map(start), TRANSPOSE.map(end), across=across)
        return TRANSPOSE.map(flipped)
    if end.x() >= start.x():
        path = QPainterPath(start)
        bend = max(BEND, (end.x() - start.x()) / 2)
        path.cubicTo(start + QPointF(bend, 0), end - QPointF(bend, 0), end)
        return path
    middle = (start.y() + end.y()) / 2 if across is None else across
    out, into = start.x() + BACK_BEND, end.x() - BACK_BEND
    corners = [QPointF(out, start.y()), QPointF(out, middle), QPointF(into, middle)]
    return rounded([start, *corners, QPointF(into, end.y()), end])


def rounded(points: list[QPointF]) -> QPainterPath:
    """Straight lines through `points`, each corner rounded."""
    path = QPainterPath(points[0])
    for before, corner, after in zip(points, points[1:], points[2:], strict=False):
        into, out = QLineF(corner, before), QLineF(corner, after)
        radius = min(CORNER, into.length() / 2, out.length() / 2)
        if radius <= 0:
            continue
        path.lineTo(into.pointAt(radius / into.length()))
        path.quadTo(corner, out.pointAt(radius / out.length()))
    path.lineTo(points[-1])
    return path


class EdgeItem(QGraphicsPathItem):
    """A wire; its tooltip shows the tensor shape it carries."""

    def __init__(self, edge: Edge, source: PortItem, target: PortItem) -> None:
        super().__init__()
        self.edge_id, self.source, self.target = edge.id, source, target
        source.node_item.edges.add(self)
        target.node_item.edges.add(self)
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)
        self.hovered = False
        self.update_path()

    def detach(self) -> None:
        self.source.node_item.edges.discard(self)
        self.target.node_item.edges.discard(self)

    def update_path(self) -> None:
        """A wire back against the flow runs back in the gap before its target's row (flowing
        down, its column), where auto layout leaves room."""
        start, end, node = self.source.scenePos(), self.target.scenePos(), self.target.node_item
        down = node.down
        across = node.x() - COLUMN_GAP / 2 if down else node.y() - ROW_GAP / 2
        self.setPath(wire_path(start, end, down, across))

    def set_shape_text(self, text: str) -> None:
        tip = escape(f"{self.source.node_item.name} \u2192 {self.target.node_item.name}: {text}")
        if tip != self.toolTip():
            self.setToolTip(tip)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option, widget=None) -> None:
        color = style.SELECTED_COLOR if self.isSelected() or self.hovered else style.wire_color()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, 3 if self.isSelected() or self.hovered else 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())

    def set_highlight(self, on: bool) -> None:
        self.hovered = on
        self.update()

    def hoverEnterEvent(self, event) -> None:
        self.set_highlight(True)

    def hoverLeaveEvent(self, event) -> None:
        self.set_highlight(False)
