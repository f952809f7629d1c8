"""Live training plots on pyqtgraph: loss per step and per epoch, the epoch metrics, confusion.

Every repaint is GUI-thread time, 30 frames a second while a run goes, so the plots redraw only
series that changed, keep their x range fixed, move their y range in steps (ranges.py) and draw
no grid (a grid makes each curve update repaint both axes)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QGraphicsItem

from designer.ui.training.baseline_line import BaselineLine
from designer.ui.training.curves import Curve
from designer.ui.training.plain_plots import plain_plot_widget
from designer.ui.training.ranges import SteppedRange

TRAIN_PEN = pg.mkPen("#1e88e5", width=1.5)
VAL_PEN = pg.mkPen("#e53935", width=2)
AXIS_LABELS = {"step": "step", "epoch": "epoch", "time": "seconds"}
OVERLAY_COLORS = ("#6d4c41", "#546e7a", "#c0ca33", "#d81b60", "#3949ab")
MAX_LABELLED_CLASSES = 5  # each label repaints on its own: past 5x5 the colours tell it
METRIC_PENS = {"train": pg.mkPen("#43a047", width=2), "val": pg.mkPen("#fb8c00", width=2)}


class GrowingSeries:
    """x and y values in numpy buffers that double when full: appending is amortised O(1).
    The bounds of the finite y values are kept as they come, for the plot's y range."""

    def __init__(self) -> None:
        self.x = np.empty(1024)
        self.y = np.empty(1024)
        self.size = 0
        self.dirty = False
        self.low = self.low_positive = math.inf
        self.high = -math.inf

    def extend(self, xs: list[float], ys: list[float]) -> None:
        needed = self.size + len(xs)
        if needed > len(self.x):
            capacity = max(needed, 2 * len(self.x))
            self.x = np.resize(self.x, capacity)
            self.y = np.resize(self.y, capacity)
        self.x[self.size : needed] = xs
        self.y[self.size : needed] = ys
        added = self.y[self.size : needed]
        self.size = needed
        self.dirty = True
        finite = added[np.isfinite(added)]
        if finite.size:
            self.low = min(self.low, float(finite.min()))
            self.high = max(self.high, float(finite.max()))
            positive = finite[finite > 0]
            if positive.size:
                self.low_positive = min(self.low_positive, float(positive.min()))

    def bounds(self, log: bool = False) -> tuple[float, float]:
        """The lowest and highest finite value (log10 of the positive ones for a log axis);
        (inf, -inf) when there is none."""
        if not log:
            return self.low, self.high
        if self.high <= 0 or math.isinf(self.low_positive):
            return math.inf, -math.inf
        return math.log10(self.low_positive), math.log10(self.high)

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[: self.size], self.y[: self.size]

    def draw_on(self, curve: Curve, axis: XAxis, force: bool = False) -> bool:
        """Hand the values to `curve`, x mapped onto the chosen axis, if they changed."""
        if not (self.dirty or force):
            return False
        steps, values = self.view()
        curve.setData(axis.transform(steps), values)
        self.dirty = False
        return True


def fit_range(y_range: SteppedRange, series: list[GrowingSeries], *values: float) -> None:
    """Give `y_range` room for every finite value of `series` and the lone `values`."""
    bounds = [one.bounds(y_range.log) for one in series]
    for value in values:
        if y_range.log:
            value = math.log10(value) if value > 0 else math.nan
        if math.isfinite(value):
            bounds.append((value, value))
    low = min((low for low, _ in bounds), default=math.inf)
    y_range.fit(low, max((high for _, high in bounds), default=-math.inf))


class XAxis:
    """What the x axis counts: optimizer steps, epochs (fractional), or seconds since start.
    Every series is kept by step; the axis maps steps on the way to the screen."""

    def __init__(self) -> None:
        self.mode = "step"
        self.steps_per_epoch = 1
        self.clock = GrowingSeries()

    def record_times(self, steps: list[float], seconds: list[float]) -> None:
        self.clock.extend(steps, seconds)

    def transform(self, steps: np.ndarray) -> np.ndarray:
        if self.mode == "epoch":
            return steps / self.steps_per_epoch
        if self.mode == "time":
            known_steps, seconds = self.clock.view()
            return np.interp(steps, known_steps, seconds) if len(known_steps) else steps * 0.0
        return steps

    def limit(self, total_steps: int) -> float | None:
        """The x axis' right end for a run of `total_steps`, or None (time: not known ahead)."""
        if self.mode == "time":
            return None
        return float(self.transform(np.array([float(total_steps)]))[0])


def plot_widget(title: str, y_label: str) -> pg.PlotWidget:
    widget = plain_plot_widget()
    widget.setTitle(title)
    widget.setLabel("left", y_label)
    widget.setLabel("bottom", "step")
    legend = widget.addLegend(offset=(-10, 10), brush=legend_fill())
    legend.setZValue(1)  # over the curves and lines, which its fill hides
    return widget


def legend_fill() -> QColor:
    """The plot's own background, nearly opaque: a line across the plot passes under the legend
    instead of through its text."""
    color = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    color.setAlpha(230)
    return color


def cache_still_items(widget: pg.PlotWidget, *moving: Curve) -> None:
    """Keep a picture of every item of the plot but the `moving` curves: a frame that redraws
    a curve then copies the axes, legend and other curves over instead of calling each one's
    Python paint."""
    skipped = {id(item) for curve in moving for item in (curve, *curve.childItems())}
    for item in widget.scene().items():
        if id(item) not in skipped:
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def fix_range(widget: pg.PlotWidget, axis: XAxis, total_steps: int) -> None:
    """The whole run on the x axis from the start, so it does not re-range as points arrive
    (time is not known ahead, so it ranges itself). An unchanged label is not set again: that
    would lay the axis out again."""
    if widget.getAxis("bottom").labelText != AXIS_LABELS[axis.mode]:
        widget.setLabel("bottom", AXIS_LABELS[axis.mode])
    end = axis.limit(total_steps)
    if end is None:
        widget.getPlotItem().enableAutoRange(x=True)
    else:
        widget.getPlotItem().enableAutoRange(x=False)
        widget.setXRange(0, max(end, 1e-9), padding=0.02)


class LossPlot:
    """Training loss at every step (downsampled when long) and validation loss per epoch."""

    def __init__(self) -> None:
        self.widget = plot_widget("Loss", "loss")
        self.train = GrowingSeries()
        self.val = GrowingSeries()
        plot = self.widget.getPlotItem()
        self.train_curve = Curve(plot, TRAIN_PEN, "train (step)")
        self.val_curve = Curve(plot, VAL_PEN, "validation (epoch)", dot_size=6)
        self.overlays: dict[str, Curve] = {}
        self.overlay_values: dict[str, GrowingSeries] = {}
        self.y_range = SteppedRange(self.widget)
        cache_still_items(self.widget, self.train_curve)

    def add_steps(self, steps: list[float], losses: list[float]) -> None:
        self.train.extend(steps, losses)

    def add_epoch(self, step: float, loss: float) -> None:
        self.val.extend([step], [loss])

    def redraw(self, axis: XAxis, force: bool = False) -> bool:
        """Draw what changed (everything if `force`); True if anything was."""
        drawn = self.train.draw_on(self.train_curve, axis, force)
        drawn = self.val.draw_on(self.val_curve, axis, force) or drawn
        if drawn:
            self.fit()
        return drawn

    def fit(self) -> None:
        fit_range(self.y_range, [self.train, self.val, *self.overlay_values.values()])

    def overlay(self, name: str, steps: list[float], losses: list[float], axis: XAxis) -> None:
        """Another run's validation loss, dashed; empty values take it away."""
        old = self.overlays.pop(name, None)
        self.overlay_values.pop(name, None)
        if old is not None:
            self.widget.removeItem(old)
        if steps:
            color = OVERLAY_COLORS[len(self.overlays) % len(OVERLAY_COLORS)]
            pen = pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine)
            curve = Curve(self.widget.getPlotItem(), pen, f"run {name} (val)")
            series = GrowingSeries()
            series.extend(steps, losses)
            series.draw_on(curve, axis)
            self.overlays[name], self.overlay_values[name] = curve, series
        self.fit()

    def set_log(self, on: bool) -> None:
        """Log or linear y; pyqtgraph turns auto-range on for both axes, the caller fixes x."""
        self.widget.setLogMode(y=on)
        self.y_range.reset(log=on)
        self.fit()

    def clear(self) -> None:
        self.train, self.val = GrowingSeries(), GrowingSeries()
        self.train_curve.setData([], [])
        self.val_curve.setData([], [])
        self.y_range.reset(log=self.y_range.log)


class MetricPlot:
    """One metric (accuracy, or R2 for regression) per epoch, for training and validation."""

    def __init__(self) -> None:
        self.widget = plot_widget("Metric", "")
        self.series: dict[str, GrowingSeries] = {}
        # Made up front: the first epoch of a run then only hands them values.
        self.curves = {
            split: Curve(self.widget.getPlotItem(), pen, split, dot_size=5)
            for split, pen in METRIC_PENS.items()
        }
        self.metric: str | None = None
        self.labelled: str | None = None  # the metric the title and axis name
        self.baseline: BaselineLine | None = None
        self.y_range = SteppedRange(self.widget)
        cache_still_items(self.widget)

    def show_baseline(self, name: str, scores: dict[str, float]) -> None:
        """A dashed line at the classical model's validation score of the plotted metric, named
        in the legend; one that comes before the first epoch (it fits beside the run) chooses
        the metric from its own scores."""
        if not self.choose_metric(scores) or self.metric not in scores:
            return
        value = scores[self.metric]
        if self.baseline is None:
            self.baseline = BaselineLine()
            self.widget.addItem(self.baseline)
        self.baseline.setValue(value)
        self.baseline.name_in(self.widget.getPlotItem().legend, f"{name} {value:.3f}")
        self.fit()

    def choose_metric(self, scores: dict[str, float]) -> bool:
        """Plot the first of accuracy, R2 and F1 that `scores` holds, if no metric is chosen
        yet; False when there is none to plot."""
        if self.metric is None:
            self.metric = next((m for m in ("accuracy", "r2", "f1") if m in scores), None)
            # An unchanged title is not set again: a new one lays the plot out again.
            if self.metric is not None and self.metric != self.labelled:
                self.widget.setLabel("left", self.metric)
                self.widget.setTitle(self.metric.capitalize())
                self.labelled = self.metric
        return self.metric is not None

    def add_epoch(self, step: float, train: dict[str, float], val: dict[str, float]) -> None:
        if not self.choose_metric(val):
            return
        for split, values in (("train", train), ("val", val)):
            if self.metric in values:
                series = self.series.setdefault(split, GrowingSeries())
                series.extend([step], [values[self.metric]])

    def redraw(self, axis: XAxis, force: bool = False) -> bool:
        drawn = [
            series.draw_on(self.curves[split], axis, force) for split, series in self.series.items()
        ]
        if any(drawn):
            self.fit()
        return any(drawn)

    def fit(self) -> None:
        baseline = [self.baseline.value()] if self.baseline is not None else []
        fit_range(self.y_range, list(self.series.values()), *baseline)

    def clear(self) -> None:
        for curve in self.curves.values():
            curve.setData([], [])
        if self.baseline is not None:
            self.widget.removeItem(self.baseline)  # and from the legend
        self.series, self.metric, self.baseline = {}, None, None
        self.y_range.reset()


class SeriesPlot:
    """One value per step or so, e.g. the learning rate or samples per second."""

    def __init__(self, title: str, y_label: str, color: str) -> None:
        self.widget = plot_widget(title, y_label)
        self.series = GrowingSeries()
        self.curve = Curve(self.widget.getPlotItem(), pg.mkPen(color, width=1.5))
        self.y_range = SteppedRange(self.widget)
        cache_still_items(self.widget, self.curve)

    def add(self, steps: list[float], values: list[float]) -> None:
        self.series.extend(steps, values)

    def redraw(self, axis: XAxis, force: bool = False) -> bool:
        if not self.series.draw_on(self.curve, axis, force):
            return False
        fit_range(self.y_range, [self.series])
        return True

    def clear(self) -> None:
        self.series = GrowingSeries()
        self.curve.setData([], [])
        self.y_range.reset()


class ConfusionPlot:
    """The validation confusion matrix of the last epoch as a heat map, with class names."""

    def __init__(self) -> None:
        self.widget = plain_plot_widget()
        self.widget.setTitle("Confusion (validation)")
        self.widget.setLabel("left", "true")
        self.widget.setLabel("bottom", "predicted")
        self.widget.invertY(True)
        self.widget.setAspectLocked(True)
        for side in ("left", "bottom"):  # no numbers until a run names the classes
            self.widget.getAxis(side).setTicks([[]])
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.widget.addItem(self.image)
        self.labels: list[pg.TextItem] = []
        self.matrix: np.ndarray | None = None
        self.names: tuple[str, ...] | None = None

    def set_classes(self, names: tuple[str, ...]) -> None:
        """Names down the side; numbers along the bottom, where long names would overlap. The
        count labels are made here once; each epoch only changes their text. The range is
        fixed to the matrix: re-ranging to each new picture would lay both axes out again."""
        if names == self.names:
            return
        self.names = names
        for label in self.labels:
            self.widget.removeItem(label)
        self.labels = []
        if len(names) <= MAX_LABELLED_CLASSES:
            for row in range(len(names)):
                for column in range(len(names)):
                    label = pg.TextItem("", color="w", anchor=(0.5, 0.5))
                    label.setPos(column + 0.5, row + 0.5)
                    self.widget.addItem(label)
                    self.labels.append(label)
        self.widget.getAxis("left").setTicks(
            [[(index + 0.5, f"{index}: {name}") for index, name in enumerate(names)]]
        )
        self.widget.getAxis("bottom").setTicks(
            [[(index + 0.5, str(index)) for index in range(len(names))]]
        )
        if names:
            self.widget.disableAutoRange()
            self.widget.setRange(xRange=(0, len(names)), yRange=(0, len(names)))

    def show(self, matrix: list[list[int]]) -> None:
        self.matrix = np.asarray(matrix, dtype=float)
        self.image.setImage(self.matrix, levels=(0, max(1.0, self.matrix.max())))
        if len(self.labels) == self.matrix.size:
            for label, count in zip(self.labels, self.matrix.flat, strict=True):
                label.setText(f"{count:.0f}")

    def clear(self) -> None:
        self.matrix = None
        self.image.clear()
        for label in self.labels:
            label.setText("")
