"""The selected layer's weight and gradient histograms over the run, newest drawn strongest;
drawn when their tab is on screen."""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from designer.ui.training.plain_plots import plain_plot_widget
from designer.ui.training.plot_files import Table

KEPT = 8  # histograms drawn per plot: the last few samples show the trend
HISTORY = 200  # samples kept per layer


class LayerHistograms:
    """Keeps every layer's sampled values; shows the selected layer's."""

    def __init__(self) -> None:
        self.widget = QWidget()
        self.title = QLabel("Select a layer on the canvas to see its weights and gradients.")
        self.title.setWordWrap(True)
        self.weights = plain_plot_widget(title="Weights")
        self.grads = plain_plot_widget(title="Gradients")
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.weights, 1)
        layout.addWidget(self.grads, 1)
        self.history: dict[str, collections.deque] = {}
        self.node_id: str | None = None
        self.name = ""
        self.weight_curves: list[pg.PlotDataItem] = []
        self.grad_curves: list[pg.PlotDataItem] = []
        self.stale = False  # what is drawn is not the selected layer's latest
        self.drawn: list[tuple[int, object]] = []  # (step, stats) of the histograms shown

    def pictures(self) -> list[tuple[pg.PlotWidget, str, Callable[[], Table]]]:
        """Each plot with its name and its table, to be saved."""
        return [
            (self.weights, "Weights", functools.partial(self.table, "weights")),
            (self.grads, "Gradients", functools.partial(self.table, "grads")),
        ]

    def table(self, kind: str) -> Table:
        """The histograms shown of `kind` (weights or grads): a row per bin of each sample."""
        value = "weight" if kind == "weights" else "gradient"
        rows = [
            (step, center, count)
            for step, stats in self.drawn
            if getattr(stats, kind) is not None
            for center, count in zip(
                getattr(stats, kind).centers(), getattr(stats, kind).counts, strict=True
            )
        ]
        return ["step", value, "count"], rows

    def clear(self) -> None:
        self.history.clear()
        self.stale = True
        self.catch_up()

    def add(self, step: int, layers: dict) -> None:
        for node_id, stats in layers.items():
            self.history.setdefault(node_id, collections.deque(maxlen=HISTORY)).append(
                (step, stats)
            )
        if self.node_id in layers:
            self.stale = True

    def select(self, node_id: str | None, name: str = "") -> None:
        self.node_id, self.name = node_id, name
        self.stale = True
        self.catch_up()

    def catch_up(self) -> bool:
        """Redraw if something changed and the histograms are on screen; True if so."""
        if not (self.stale and self.widget.isVisible()):
            return False
        self.stale = False
        self.redraw()
        return True

    def redraw(self) -> None:
        samples = list(self.history.get(self.node_id, ()))[-KEPT:]
        self.drawn = samples
        if self.node_id is None:
            self.title.setText("Select a layer on the canvas to see its weights and gradients.")
        elif not samples or all(stats.weights is None for _, stats in samples):
            self.title.setText(f"{self.name}: no weights sampled (yet)")
        else:
            step = samples[-1][0]
            self.title.setText(f"{self.name} at step {step}: last {len(samples)} samples")
        for plot, curves, kind, rgb in (
            (self.weights, self.weight_curves, "weights", (30, 136, 229)),
            (self.grads, self.grad_curves, "grads", (229, 57, 53)),
        ):
            histograms = [getattr(stats, kind) for _, stats in samples]
            histograms = [histogram for histogram in histograms if histogram is not None]
            while len(curves) < len(histograms):  # curves are made once and reused
                curves.append(plot.plot())
            for age, curve in enumerate(curves):
                if age < len(histograms):
                    alpha = int(60 + 195 * (age + 1) / len(histograms))
                    curve.setPen(pg.mkPen((*rgb, alpha)))
                    curve.setData(histograms[age].centers(), list(histograms[age].counts))
                else:
                    curve.setData([], [])
