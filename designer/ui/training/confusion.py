"""The validation confusion matrix as a heat map: counts in the cells, a colour bar beside it,
the cell under the mouse read out with its class names."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from designer.ui.training.hover import HoverLabel
from designer.ui.training.plain_plots import plain_plot_widget
from designer.ui.training.plot_files import Table

# Each count is a text item that repaints on its own: past 10x10 the colours and the hover
# label tell the counts, and the cells would be too small for the numbers anyway.
MAX_LABELLED_CLASSES = 10
DARK_TEXT, LIGHT_TEXT = QColor("#212121"), QColor("#ffffff")


def text_color(cell: QColor) -> QColor:
    """Dark text on a light cell, white on a dark one."""
    luminance = 0.299 * cell.redF() + 0.587 * cell.greenF() + 0.114 * cell.blueF()
    return DARK_TEXT if luminance > 0.55 else LIGHT_TEXT


class ConfusionPlot:
    """The validation confusion matrix of the last epoch, with class names."""

    name = "Confusion"

    def __init__(self) -> None:
        self.widget = plain_plot_widget()
        self.widget.setTitle("Confusion (validation)")
        self.widget.setLabel("left", "true")
        self.widget.setLabel("bottom", "predicted")
        self.widget.invertY(True)
        self.widget.setAspectLocked(True)
        for side in ("left", "bottom"):  # no numbers until a run names the classes
            self.widget.getAxis(side).setTicks([[]])
        self.colors = pg.colormap.get("viridis")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.widget.addItem(self.image)
        self.bar = pg.ColorBarItem(
            colorMap=self.colors, interactive=False, width=12, colorMapMenu=False
        )
        self.bar.axis.enableAutoSIPrefix(False)
        self.bar.setImageItem(self.image, insert_in=self.widget.getPlotItem())
        self.labels: list[pg.TextItem] = []
        self.matrix: np.ndarray | None = None
        self.names: tuple[str, ...] | None = None
        self.hover = HoverLabel(self.widget, self.cell_under, ring=False)

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
                    label = pg.TextItem("", anchor=(0.5, 0.5))
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
        top = max(1.0, float(self.matrix.max()))
        self.image.setImage(self.matrix, levels=(0, top))
        self.bar.setLevels((0, top))
        if len(self.labels) == self.matrix.size:
            cells = self.colors.mapToQColor(self.matrix.ravel() / top)
            for label, count, cell in zip(self.labels, self.matrix.flat, cells, strict=True):
                label.setText(f"{count:.0f}", text_color(cell))

    def class_name(self, index: int) -> str:
        names = self.names or ()
        return names[index] if index < len(names) else str(index)

    def cell_under(self, point: QPointF, _pixel) -> tuple[QPointF, str] | None:
        """The cell at `point`: "true versicolor" over "predicted virginica: 6"."""
        if self.matrix is None:
            return None
        row, column = math.floor(point.y()), math.floor(point.x())
        if not (0 <= row < len(self.matrix) and 0 <= column < len(self.matrix)):
            return None
        count = self.matrix[row, column]
        words = f"true {self.class_name(row)}\npredicted {self.class_name(column)}: {count:.0f}"
        return QPointF(column + 0.5, row + 0.5), words

    def table(self) -> Table:
        """A row per true class, a column per predicted one."""
        if self.matrix is None:
            return ["true \\ predicted"], []
        classes = [self.class_name(index) for index in range(len(self.matrix))]
        rows = [
            (name, *(int(count) for count in counts))
            for name, counts in zip(classes, self.matrix, strict=True)
        ]
        return ["true \\ predicted", *classes], rows

    def clear(self) -> None:
        self.matrix = None
        self.image.clear()
        self.hover.hide()
        for label in self.labels:
            label.setText("")
