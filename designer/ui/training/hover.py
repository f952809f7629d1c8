"""Hover read-outs for the training plots: the value under the mouse, in a label beside it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF
from PySide6.QtGui import QGuiApplication, QPalette

from designer.ui.training.curves import Curve

RADIUS = 24  # pixels: the nearest point within this distance of the mouse is read out
DOT_SIZE = 9

# Where the label goes (view coordinates) and what it says; None: nothing under the mouse.
Finder = Callable[[QPointF, tuple[float, float]], tuple[QPointF, str] | None]


def number_words(value: float) -> str:
    """A whole number (a step, a count) with thousands separators, else four digits."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.4g}"


def axis_name(widget: pg.PlotWidget, side: str) -> str:
    return widget.getAxis(side).labelText or ("x" if side == "bottom" else "y")


def curve_words(widget: pg.PlotWidget, curve: Curve, index: int) -> str:
    """ "validation (epoch)" over "step 12 · loss 0.6209"."""
    x = f"{axis_name(widget, 'bottom')} {number_words(curve.x[index])}"
    y = f"{axis_name(widget, 'left')} {number_words(curve.y[index])}"
    return f"{curve.name}\n{x} \u00b7 {y}"


def nearest_point(
    curves: Callable[[], Iterable[Curve]], words: Callable[[Curve, int], str]
) -> Finder:
    """A finder of the shown curves' point nearest the mouse, in pixels, within RADIUS."""

    def find(point: QPointF, pixel: tuple[float, float]) -> tuple[QPointF, str] | None:
        best: tuple[float, Curve, int] | None = None
        for curve in curves():
            xs, ys = curve.shown  # as drawn: log10 on a log axis
            if not curve.isVisible() or not len(xs):
                continue
            with np.errstate(invalid="ignore"):
                distance = np.hypot((xs - point.x()) / pixel[0], (ys - point.y()) / pixel[1])
            distance[~np.isfinite(distance)] = np.inf
            index = int(np.argmin(distance))
            if distance[index] <= RADIUS and (best is None or distance[index] < best[0]):
                best = (float(distance[index]), curve, index)
        if best is None:
            return None
        _, curve, index = best
        xs, ys = curve.shown
        return QPointF(xs[index], ys[index]), words(curve, index)

    return find


class HoverLabel(QObject):
    """What `find` says is under the mouse in `widget`'s plot: a ring on the point and a label
    beside it, on the side towards the plot's middle; gone when the mouse leaves."""

    def __init__(self, widget: pg.PlotWidget, find: Finder, ring: bool = True) -> None:
        super().__init__(widget)
        self.widget, self.find = widget, find
        self.view = widget.getPlotItem().getViewBox()
        palette = QGuiApplication.palette()
        background = palette.color(QPalette.ColorRole.Base)
        background.setAlpha(235)
        self.label = pg.TextItem(
            color=palette.color(QPalette.ColorRole.Text),
            fill=pg.mkBrush(background),
            border=pg.mkPen(palette.color(QPalette.ColorRole.Mid)),
        )
        self.ring = pg.ScatterPlotItem(
            size=DOT_SIZE, brush=None, pen=pg.mkPen(palette.color(QPalette.ColorRole.Text), width=2)
        )
        self.items = [self.label, self.ring] if ring else [self.label]
        for item in self.items:
            item.setZValue(100)
            item.hide()
            widget.addItem(item, ignoreBounds=True)
        widget.scene().sigMouseMoved.connect(self.moved)
        widget.viewport().installEventFilter(self)

    def moved(self, scene_point: QPointF) -> None:
        area = self.view.sceneBoundingRect()
        found = None
        if area.contains(scene_point):
            found = self.find(self.view.mapSceneToView(scene_point), self.view.viewPixelSize())
        if found is None:
            self.hide()
            return
        at, text = found
        self.label.setText(text)
        shown_at = self.view.mapViewToScene(at)
        self.label.setAnchor(
            (
                1.0 if shown_at.x() > area.center().x() else 0.0,
                0.0 if shown_at.y() < area.center().y() else 1.0,
            )
        )
        self.label.setPos(at)
        self.ring.setData([at.x()], [at.y()])
        for item in self.items:
            item.show()

    @property
    def text(self) -> str:
        """What the label says while it is shown, else ""."""
        return self.label.toPlainText() if self.label.isVisible() else ""

    def hide(self) -> None:
        for item in self.items:
            item.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self.hide()
        return False
