"""Plot widgets whose axes read plain numbers: no pyqtgraph SI scaling ("accuracy (x0.001)")."""

from __future__ import annotations

import pyqtgraph as pg

SIDES = ("left", "bottom", "right", "top")


def plain_plot_widget(**options) -> pg.PlotWidget:
    """A PlotWidget with a transparent background and SI prefix scaling off on every axis:
    values below one (accuracy, a learning rate) would read as thousands of a "x0.001"."""
    widget = pg.PlotWidget(background=None, **options)
    for side in SIDES:
        widget.getAxis(side).enableAutoSIPrefix(False)
    return widget
