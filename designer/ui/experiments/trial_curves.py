"""Each trial's validation curve (the monitored score per epoch, as its trial reported it),
overlaid in one plot; the best trial's and the selected one's drawn thick and named."""

from __future__ import annotations

import pyqtgraph as pg
from optuna.trial import FrozenTrial

from designer.ui.training.plain_plots import plain_plot_widget
from designer.ui.training.plots import legend_fill

COLORS = (  # distinct on a light and a dark background alike
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)


def trial_pen(number: int, width: float) -> pg.QtGui.QPen:
    """A trial keeps its colour as more trials come in."""
    return pg.mkPen(COLORS[number % len(COLORS)], width=width)


class TrialCurves:
    """The plot; `show_trials` redraws it."""

    def __init__(self) -> None:
        self.widget = plain_plot_widget()
        self.widget.setLabel("bottom", "epoch")
        self.widget.showGrid(x=True, y=True, alpha=0.2)
        self.legend = self.widget.addLegend(offset=(-10, 10), brush=legend_fill())

    def show_trials(
        self, trials: list[FrozenTrial], monitor: str, best: int | None, selected: int | None
    ) -> None:
        widget = self.widget
        widget.clear()
        widget.setLabel("left", monitor)
        curved = [trial for trial in trials if trial.intermediate_values]
        for trial in curved:
            epochs = sorted(trial.intermediate_values)
            scores = [trial.intermediate_values[epoch] for epoch in epochs]
            emphasis = trial.number in (best, selected)
            name = f"trial {trial.number}" + (" (best)" if trial.number == best else "")
            item = widget.plot(
                epochs,
                scores,
                pen=trial_pen(trial.number, 3.0 if emphasis else 1.2),
                name=name if emphasis else None,  # a legend of every trial hides the curves
            )
            item.setZValue(2 if trial.number == selected else 1 if emphasis else 0)
