"""Live training plots on pyqtgraph: loss per step (smoothed) and per epoch, the epoch metrics,
the learning rate and throughput; each reads out the point under the mouse and tables its values.

Every repaint is GUI-thread time, 30 frames a second while a run goes, so the plots redraw only
series that changed, keep their x range fixed, move their y range in steps (ranges.py) and draw
no grid (a grid makes each curve update repaint both axes)."""

from __future__ import annotations

import functools
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QGraphicsItem

from designer.ui.training.baseline_line import BaselineLine
from designer.ui.training.curves import Curve
from designer.ui.training.hover import HoverLabel, curve_words, nearest_point, number_words
from designer.ui.training.plain_plots import plain_plot_widget
from designer.ui.training.plot_files import Table
from designer.ui.training.ranges import SteppedRange
from designer.ui.training.smoothing import ExponentialSmoothing

TRAIN_PEN = pg.mkPen("#1e88e5", width=1.5)
RAW_TRAIN_PEN = pg.mkPen((30, 136, 229, 70), width=1)  # faint, behind the smoothed curve
VAL_PEN = pg.mkPen("#e53935", width=2)
AXIS_LABELS = {"step": "step", "epoch": "epoch", "time": "seconds"}
OVERLAY_COLORS = ("#6d4c41", "#546e7a", "#c0ca33", "#d81b60", "#3949ab")
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


def curves_table(widget: pg.PlotWidget, curves: list[Curve]) -> Table:
    """One row per point of each curve: its name, x and y as plotted (x in the axis' unit)."""
    x_name = widget.getAxis("bottom").labelText or "x"
    y_name = widget.getAxis("left").labelText or "y"
    rows = [
        (curve.name, x, y)
        for curve in curves
        for x, y in zip(curve.x.tolist(), curve.y.tolist(), strict=True)
    ]
    return ["series", x_name, y_name], rows


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
    """Training loss at every step (downsampled when long), smoothed over the faint raw curve,
    and validation loss per epoch."""

    name = "Loss"

    def __init__(self) -> None:
        self.widget = plot_widget("Loss", "loss")
        self.train = GrowingSeries()
        self.val = GrowingSeries()
        self.smoothing = ExponentialSmoothing()
        plot = self.widget.getPlotItem()
        self.raw_train_curve = Curve(plot, RAW_TRAIN_PEN, "train (step)", in_legend=False)
        self.train_curve = Curve(plot, TRAIN_PEN, "train (step)")  # smoothed
        self.train_curve.visibleChanged.connect(
            lambda: self.raw_train_curve.setVisible(self.train_curve.isVisible())
        )
        self.val_curve = Curve(plot, VAL_PEN, "validation (epoch)", dot_size=6)
        self.overlays: dict[str, Curve] = {}
        self.overlay_values: dict[str, GrowingSeries] = {}
        self.y_range = SteppedRange(self.widget)
        cache_still_items(self.widget, self.train_curve, self.raw_train_curve)
        self.hover = HoverLabel(self.widget, nearest_point(self.data_curves, self.words))

    def data_curves(self) -> list[Curve]:
        """The curves of values (the smoothed one is a picture of them)."""
        return [self.raw_train_curve, self.val_curve, *self.overlays.values()]

    def words(self, curve: Curve, index: int) -> str:
        text = curve_words(self.widget, curve, index)
        if curve is self.raw_train_curve and self.smoothing.weight > 0:
            smoothed = self.train_curve.y[index]
            text += f" (smoothed {number_words(smoothed)})"
        return text

    def table(self) -> Table:
        return curves_table(self.widget, self.data_curves())

    def add_steps(self, steps: list[float], losses: list[float]) -> None:
        self.train.extend(steps, losses)

    def add_epoch(self, step: float, loss: float) -> None:
        self.val.extend([step], [loss])

    def redraw(self, axis: XAxis, force: bool = False) -> bool:
        """Draw what changed (everything if `force`); True if anything was."""
        drawn = self.draw_train(axis, force)
        drawn = self.val.draw_on(self.val_curve, axis, force) or drawn
        for run_id, series in self.overlay_values.items():  # another axis: drawn again
            drawn = series.draw_on(self.overlays[run_id], axis, force) or drawn
        if drawn:
            self.fit()
        return drawn

    def draw_train(self, axis: XAxis, force: bool = False) -> bool:
        if not (self.train.dirty or force):
            return False
        steps, losses = self.train.view()
        x = axis.transform(steps)
        self.raw_train_curve.setData(x, losses)
        self.train_curve.setData(x, self.smoothing.smooth(losses))
        self.train.dirty = False
        return True

    def set_smoothing(self, weight: float, axis: XAxis) -> None:
        """Smooth the step loss with `weight` (0: none); the values stay as they came."""
        self.smoothing.set_weight(weight)
        self.draw_train(axis, force=True)

    def fit(self) -> None:
        fit_range(self.y_range, [self.train, self.val, *self.overlay_values.values()])

    def overlay(
        self, run_id: str, name: str, steps: list[float], losses: list[float], axis: XAxis
    ) -> None:
        """Run `run_id`'s validation loss, dashed, as "`name` (val)"; empty values take it
        away."""
        old = self.overlays.pop(run_id, None)
        self.overlay_values.pop(run_id, None)
        if old is not None:
            self.widget.removeItem(old)
        if steps:
            color = OVERLAY_COLORS[len(self.overlays) % len(OVERLAY_COLORS)]
            pen = pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine)
            curve = Curve(self.widget.getPlotItem(), pen, f"{name} (val)")
            series = GrowingSeries()
            series.extend(steps, losses)
            series.draw_on(curve, axis)
            self.overlays[run_id], self.overlay_values[run_id] = curve, series
        self.fit()

    def set_log(self, on: bool) -> None:
        """Log or linear y; pyqtgraph turns auto-range on for both axes, the caller fixes x."""
        self.widget.setLogMode(y=on)
        self.y_range.reset(log=on)
        self.fit()

    def clear(self) -> None:
        self.train, self.val = GrowingSeries(), GrowingSeries()
        self.smoothing.reset()
        for curve in (self.raw_train_curve, self.train_curve, self.val_curve):
            curve.setData([], [])
        self.y_range.reset(log=self.y_range.log)


class MetricPlot:
    """One metric (accuracy, or R2 for regression) per epoch, for training and validation."""

    name = "Metric"

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
        curves = list(self.curves.values())
        words = functools.partial(curve_words, self.widget)
        self.hover = HoverLabel(self.widget, nearest_point(lambda: curves, words))

    def table(self) -> Table:
        return curves_table(self.widget, list(self.curves.values()))

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
        self.name = title
        self.widget = plot_widget(title, y_label)
        self.series = GrowingSeries()
        pen = pg.mkPen(color, width=1.5)
        self.curve = Curve(self.widget.getPlotItem(), pen, title, in_legend=False)
        self.y_range = SteppedRange(self.widget)
        cache_still_items(self.widget, self.curve)
        words = functools.partial(curve_words, self.widget)
        self.hover = HoverLabel(self.widget, nearest_point(lambda: [self.curve], words))

    def table(self) -> Table:
        return curves_table(self.widget, [self.curve])

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
