"""The classical baseline in the metric plot: a dashed level line that the legend names."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

BASELINE_PEN = pg.mkPen("#757575", width=1.5, style=Qt.PenStyle.DashLine)


class BaselineLine(pg.InfiniteLine):
    """A horizontal dashed line at the baseline's score. It carries no label of its own (one
    across the plot ran through the legend): the legend names it, drawing its sample from
    `opts` as it does a curve's."""

    def __init__(self) -> None:
        super().__init__(angle=0, pen=BASELINE_PEN)
        self.opts = {"pen": BASELINE_PEN, "symbol": None}

    def name_in(self, legend: pg.LegendItem, name: str) -> None:
        """Put the line in `legend` as `name`, replacing the entry it had."""
        legend.removeItem(self)
        legend.addItem(self, name)
