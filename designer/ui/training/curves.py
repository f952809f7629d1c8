"""A plot curve that Qt draws from one prepared path, for the live training plots.

pyqtgraph's PlotDataItem bounds, downsamples and paints itself in Python at every frame, which
at 30 frames a second takes much of the GUI thread. A Curve turns its values into a path (and
dots) once per change; a frame then costs one short Python paint, and its bounds (the view's
range) change only with the range."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsObject

MAX_POINTS = 4096  # a longer curve is drawn as the lowest and highest value of each stretch


def peaks(x: np.ndarray, y: np.ndarray, limit: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most about `limit` points that keep every spike: each stretch of consecutive points
    becomes its lowest and its highest value (NaN ignored), at the stretch's first x."""
    if len(x) <= limit:
        return x, y
    stretch = -(-len(x) // (limit // 2))
    whole = len(x) // stretch * stretch
    values = y[:whole].reshape(-1, stretch)
    low, high = np.fmin.reduce(values, axis=1), np.fmax.reduce(values, axis=1)
    xs = np.repeat(x[:whole:stretch], 2)
    ys = np.column_stack([low, high]).ravel()
    return np.concatenate([xs, x[whole:]]), np.concatenate([ys, y[whole:]])


def dots_polygon(x: np.ndarray, y: np.ndarray) -> QPolygonF:
    """The finite points as one polygon, for a single drawPoints call."""
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return QPolygonF()
    polygon = pg.functions.create_qpolygonf(int(finite.sum()))
    corners = pg.functions.ndarray_from_qpolygonf(polygon)
    corners[:, 0], corners[:, 1] = x[finite], y[finite]
    return polygon


class Curve(QGraphicsObject):
    """A line through (x, y) in `plot`, with a round dot of `dot_size` pixels at each point if
    given, and a legend entry if named and `in_legend`. Clicking the entry hides or shows the
    curve. The name also heads its values in the hover label and in a saved CSV."""

    def __init__(
        self,
        plot: pg.PlotItem,
        pen: QPen,
        name: str | None = None,
        dot_size: int = 0,
        in_legend: bool = True,
    ) -> None:
        super().__init__()
        self.view = plot.getViewBox()
        self.name = name
        self.pen = pen
        self.dot_size = dot_size
        self.dot_pen = QPen(pen.color(), dot_size)
        self.dot_pen.setCosmetic(True)  # pixels at any zoom
        self.dot_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        # What pyqtgraph's legend reads to draw this curve's sample.
        self.opts = {
            "pen": pen,
            "symbol": "o" if dot_size else None,
            "size": dot_size,
            "brush": pen.color(),
        }
        self.x = self.y = np.empty(0)
        self.shown = (self.x, self.y)  # as drawn: log10 of the values on a log axis
        self.log = (False, False)
        self.path = QPainterPath()
        self.dots = QPolygonF()
        self.bounds = QRectF()
        plot.addItem(self)
        if name is not None and in_legend and plot.legend is not None:
            plot.legend.addItem(self, name)
        self.view.sigRangeChanged.connect(self.follow_view)
        self.follow_view()

    def follow_view(self, *_) -> None:
        """Claim the whole view: a change repaints what the view shows, as a curve across the
        plot would anyway, and the bounds need no work at each frame."""
        self.prepareGeometryChange()
        self.bounds = self.view.viewRect().normalized()

    def setData(self, x, y) -> None:
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self.rebuild()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x, self.y

    def setLogMode(self, x: bool, y: bool) -> None:
        self.log = (x, y)
        self.rebuild()

    def rebuild(self) -> None:
        x, y = (
            np.log10(np.where(values > 0, values, np.nan)) if log else values
            for values, log in zip((self.x, self.y), self.log, strict=True)
        )
        self.shown = (x, y)
        self.path = pg.arrayToQPath(*peaks(x, y), connect="finite")
        if self.dot_size:
            self.dots = dots_polygon(x, y)
        self.update()
        self.view.itemBoundsChanged(self)  # re-ranges an axis that follows the values

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange=None):
        """The lowest and highest drawn value along `axis` (for an axis that follows them)."""
        x, y = self.shown
        finite = np.isfinite(x) & np.isfinite(y)
        if not finite.any():
            return None
        values = (x, y)[axis][finite]
        return float(values.min()), float(values.max())

    def boundingRect(self) -> QRectF:
        return self.bounds

    def paint(self, painter: QPainter, _option, _widget=None) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(self.pen)
        painter.drawPath(self.path)
        if self.dot_size:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(self.dot_pen)
            painter.drawPoints(self.dots)
