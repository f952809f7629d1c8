"""Live training plots on pyqtgraph: loss per step and per epoch, and the epoch metrics."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

TRAIN_PEN = pg.mkPen("#1e88e5", width=1.5)
VAL_PEN = pg.mkPen("#e53935", width=2)
METRIC_PENS = {"train": pg.mkPen("#43a047", width=2), "val": pg.mkPen("#fb8c00", width=2)}


class GrowingSeries:
    """x and y values in numpy buffers that double when full: appending is amortised O(1)."""

    def __init__(self) -> None:
        self.x = np.empty(1024)
        self.y = np.empty(1024)
        self.size = 0

    def extend(self, xs: list[float], ys: list[float]) -> None:
        needed = self.size + len(xs)
        if needed > len(self.x):
            capacity = max(needed, 2 * len(self.x))
            self.x = np.resize(self.x, capacity)
            self.y = np.resize(self.y, capacity)
        self.x[self.size : needed] = xs
        self.y[self.size : needed] = ys
        self.size = needed

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[: self.size], self.y[: self.size]


def plot_widget(title: str, y_label: str) -> pg.PlotWidget:
    widget = pg.PlotWidget(background=None)
    widget.setTitle(title)
    widget.setLabel("left", y_label)
    widget.setLabel("bottom", "step")
    widget.showGrid(x=True, y=True, alpha=0.25)
    widget.addLegend(offset=(-10, 10))
    return widget


class LossPlot:
    """Training loss at every step (downsampled, clipped to view) and validation loss per epoch."""

    def __init__(self) -> None:
        self.widget = plot_widget("Loss", "loss")
        self.train = GrowingSeries()
        self.val = GrowingSeries()
        self.train_curve = self.widget.plot(name="train (step)", pen=TRAIN_PEN)
        self.train_curve.setDownsampling(auto=True, method="peak")
        self.train_curve.setClipToView(True)
        self.val_curve = self.widget.plot(
            name="validation (epoch)", pen=VAL_PEN, symbol="o", symbolSize=6
        )

    def add_steps(self, steps: list[float], losses: list[float]) -> None:
        self.train.extend(steps, losses)

    def add_epoch(self, step: float, loss: float) -> None:
        self.val.extend([step], [loss])

    def redraw(self) -> None:
        self.train_curve.setData(*self.train.view())
        self.val_curve.setData(*self.val.view())

    def set_log(self, on: bool) -> None:
        self.widget.setLogMode(y=on)

    def clear(self) -> None:
        self.train, self.val = GrowingSeries(), GrowingSeries()
        self.redraw()


class MetricPlot:
    """One metric (accuracy, or R2 for regression) per epoch, for training and validation."""

    def __init__(self) -> None:
        self.widget = plot_widget("Metric", "")
        self.series: dict[str, GrowingSeries] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.metric: str | None = None

    def add_epoch(self, step: float, train: dict[str, float], val: dict[str, float]) -> None:
        if self.metric is None:
            self.metric = next((m for m in ("accuracy", "r2", "f1") if m in val), None)
            if self.metric is None:
                return
            self.widget.setLabel("left", self.metric)
            self.widget.setTitle(self.metric.capitalize())
        for split, values in (("train", train), ("val", val)):
            if self.metric in values:
                if split not in self.series:
                    self.series[split] = GrowingSeries()
                    self.curves[split] = self.widget.plot(
                        name=split, pen=METRIC_PENS[split], symbol="o", symbolSize=5
                    )
                self.series[split].extend([step], [values[self.metric]])

    def redraw(self) -> None:
        for split, series in self.series.items():
            self.curves[split].setData(*series.view())

    def clear(self) -> None:
        for curve in self.curves.values():
            self.widget.removeItem(curve)
        self.series, self.curves, self.metric = {}, {}, None


class ConfusionPlot:
    """The validation confusion matrix of the last epoch as a heat map, with class names."""

    def __init__(self) -> None:
        self.widget = pg.PlotWidget(background=None)
        self.widget.setTitle("Confusion (validation)")
        self.widget.setLabel("left", "true")
        self.widget.setLabel("bottom", "predicted")
        self.widget.invertY(True)
        self.widget.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.widget.addItem(self.image)
        self.labels: list[pg.TextItem] = []
        self.matrix: np.ndarray | None = None

    def set_classes(self, names: tuple[str, ...]) -> None:
        """Names down the side; numbers along the bottom, where long names would overlap."""
        self.widget.getAxis("left").setTicks(
            [[(index + 0.5, f"{index}: {name}") for index, name in enumerate(names)]]
        )
        self.widget.getAxis("bottom").setTicks(
            [[(index + 0.5, str(index)) for index in range(len(names))]]
        )

    def show(self, matrix: list[list[int]]) -> None:
        self.matrix = np.asarray(matrix, dtype=float)
        self.image.setImage(self.matrix, levels=(0, max(1.0, self.matrix.max())))
        for label in self.labels:
            self.widget.removeItem(label)
        self.labels = []
        if len(self.matrix) <= 12:
            for (row, column), count in np.ndenumerate(self.matrix):
                label = pg.TextItem(f"{count:.0f}", color="w", anchor=(0.5, 0.5))
                label.setPos(column + 0.5, row + 0.5)
                self.widget.addItem(label)
                self.labels.append(label)

    def clear(self) -> None:
        self.matrix = None
        self.image.clear()
        for label in self.labels:
            self.widget.removeItem(label)
        self.labels = []
