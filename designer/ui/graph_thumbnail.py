"""A small picture of a project's graph: its layers as coloured boxes, its wires as lines."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPen, QPixmap

from designer.project.outline import Outline
from designer.ui.canvas import style
from nodes import REGISTRY, UnknownKindError

NODE_HEIGHT = 80.0  # about a node's height on the canvas, in scene units
MARGIN = 6.0


def category_of(kind: str) -> str:
    try:
        return REGISTRY.get(kind).category
    except UnknownKindError:
        return ""


def thumbnail(outline: Outline, size: QSize) -> QPixmap:
    """The outline's layers placed as on the canvas, scaled to fit `size`."""
    pixmap = QPixmap(size)
    pixmap.fill(style.canvas_color())
    if not outline.boxes:
        return pixmap
    xs = [x for _, x, _ in outline.boxes]
    ys = [y for _, _, y in outline.boxes]
    scene = QRectF(min(xs), min(ys), max(xs) - min(xs) + style.NODE_WIDTH,
                   max(ys) - min(ys) + NODE_HEIGHT)  # fmt: skip
    scale = min(
        (size.width() - 2 * MARGIN) / scene.width(), (size.height() - 2 * MARGIN) / scene.height()
    )
    offset = QPointF(
        (size.width() - scene.width() * scale) / 2, (size.height() - scene.height() * scale) / 2
    )

    def place(x: float, y: float) -> QRectF:
        corner = QPointF(x - scene.left(), y - scene.top()) * scale + offset
        return QRectF(corner, QPointF(style.NODE_WIDTH, NODE_HEIGHT) * scale + corner)

    rects = [place(x, y) for _, x, y in outline.boxes]
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(style.wire_color(), 1.0))
    for source, target in outline.wires:
        start, end = rects[source], rects[target]
        painter.drawLine(
            QPointF(start.right(), start.center().y()), QPointF(end.left(), end.center().y())
        )
    painter.setPen(QPen(style.text_color(), 0.5))
    for (kind, _, _), rect in zip(outline.boxes, rects, strict=True):
        painter.setBrush(style.category_color(category_of(kind)))
        radius = max(1.0, 6.0 * scale)
        painter.drawRoundedRect(rect, radius, radius, Qt.SizeMode.AbsoluteSize)
    painter.end()
    return pixmap
