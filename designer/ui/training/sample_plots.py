"""The last epoch's validation answers as a picture: predicted against true values for
regression, a grid of images with predicted and true labels for image classes."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from designer.ui.training.plain_plots import plain_plot_widget
from designer.ui.training.plot_files import Table

GAP = 2  # pixels between the grid's images
RIGHT, WRONG = "#2e7d32", "#c62828"


class PredictionsPlot:
    """One plot that shows whichever picture the task has."""

    name = "Predictions"

    def __init__(self) -> None:
        self.widget = plain_plot_widget()
        self.widget.setTitle("Predictions (validation)")
        self.scatter = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(30, 136, 229, 140))
        self.diagonal = pg.PlotDataItem(pen=pg.mkPen("#757575", style=Qt.PenStyle.DashLine))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.labels: list[pg.TextItem] = []
        self.kind: str | None = None
        self.class_names: tuple[str, ...] = ()
        self.samples = None  # the ones shown
        self.cells: tuple[int, int, int, int] | None = None  # the grid's columns, cell w, h, count
        self.image_clicked = None  # called with a clicked image's validation sample number
        self.widget.scene().sigMouseClicked.connect(self.clicked)

    def table(self) -> Table:
        """A row per sample shown: predicted and true class (or value)."""
        samples = self.samples
        if samples is None:
            return ["sample", "predicted", "true"], []
        if samples.kind == "regression":
            pairs = zip(samples.predicted, samples.true, strict=True)
        else:
            pairs = (
                (self.name_of(predicted), self.name_of(true))
                for predicted, true in zip(samples.predicted, samples.true, strict=True)
            )
        return ["sample", "predicted", "true"], [(i, *pair) for i, pair in enumerate(pairs)]

    def set_classes(self, names: tuple[str, ...]) -> None:
        self.class_names = names

    def show(self, samples) -> None:
        self.samples = samples
        if samples.kind != self.kind:
            self.clear()
            self.kind = samples.kind
            if samples.kind == "regression":
                self.prepare_scatter()
            else:
                self.prepare_grid()
        if samples.kind == "regression":
            self.show_scatter(samples.predicted, samples.true)
        else:
            self.show_grid(samples.images, samples.predicted, samples.true)

    def prepare_scatter(self) -> None:
        self.widget.setAspectLocked(False)
        self.widget.invertY(False)
        self.widget.showAxes(True)
        self.widget.setLabel("bottom", "true")
        self.widget.setLabel("left", "predicted")
        self.widget.addItem(self.diagonal)
        self.widget.addItem(self.scatter)

    def show_scatter(self, predicted: list[float], true: list[float]) -> None:
        self.scatter.setData(true, predicted)
        low, high = min(min(true), min(predicted)), max(max(true), max(predicted))
        self.diagonal.setData([low, high], [low, high])

    def prepare_grid(self) -> None:
        self.widget.setAspectLocked(True)
        self.widget.invertY(True)
        self.widget.showAxes(False)
        self.widget.addItem(self.image)

    def show_grid(self, images: np.ndarray, predicted: list[int], true: list[int]) -> None:
        count, height, width = images.shape[:3]
        columns = math.ceil(math.sqrt(count))
        rows = math.ceil(count / columns)
        cell_w, cell_h = width + GAP, height + GAP + max(4, height // 3)
        mosaic = np.ones((rows * cell_h, columns * cell_w, *images.shape[3:]), dtype=np.float32)
        while len(self.labels) < count:  # made once, then only their text, colour and place change
            self.labels.append(pg.TextItem("", anchor=(0.5, 0)))
            self.widget.addItem(self.labels[-1])
        while len(self.labels) > count:
            self.widget.removeItem(self.labels.pop())
        for index, label in enumerate(self.labels):
            row, column = divmod(index, columns)
            top, left = row * cell_h, column * cell_w
            mosaic[top : top + height, left : left + width] = images[index]
            color = RIGHT if predicted[index] == true[index] else WRONG
            label.setText(f"{self.name_of(predicted[index])} ({self.name_of(true[index])})", color)
            label.setPos(left + width / 2, top + height)
        self.image.setImage(mosaic, levels=(0, 1))
        self.cells = (columns, cell_w, cell_h, count)
        self.widget.setTitle("Predictions (validation): predicted (true)")

    def clicked(self, event) -> None:
        """A click on an image of the grid tells `image_clicked` its sample (the grid shows
        the first validation samples, in order)."""
        if self.cells is None or self.kind == "regression" or self.image_clicked is None:
            return
        columns, cell_w, cell_h, count = self.cells
        point = self.widget.getPlotItem().vb.mapSceneToView(event.scenePos())
        column, row = math.floor(point.x() / cell_w), math.floor(point.y() / cell_h)
        index = row * columns + column
        if 0 <= column < columns and row >= 0 and index < count:
            self.image_clicked(index)

    def name_of(self, index: int) -> str:
        return self.class_names[index] if index < len(self.class_names) else str(index)

    def clear(self) -> None:
        for item in (self.scatter, self.diagonal, self.image, *self.labels):
            if item.scene() is not None:
                self.widget.removeItem(item)
        self.labels, self.kind, self.samples, self.cells = [], None, None, None
