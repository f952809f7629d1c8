"""Each trial's validation curve (the monitored score per epoch, as its trial reported it),
overlaid in one plot; the best trial's drawn thick, the selected one's on top."""

from __future__ import annotations

import pyqtgraph as pg
from optuna.trial import FrozenTrial

from designer.ui.training.plain_plots import plain_plot_widget
from designer.ui.training.plots import legend_fill

MAX_LEGEND = 12  # trials named in the legend; more would hide the curves


def trial_pen(index: int, count: int, width: float) -> pg.QtGui.QPen:
    return pg.mkPen(pg.intColor(index, hues=max(count, 6)), width=width)


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
        for index, trial in enumerate(curved):
            epochs = sorted(trial.intermediate_values)
            scores = [trial.intermediate_values[epoch] for epoch in epochs]
            emphasis = trial.number in (best, selected)
            name = f"trial {trial.number}" + (" (best)" if trial.number == best else "")
            item = widget.plot(
                epochs,
                scores,
                pen=trial_pen(index, len(curved), 3.0 if emphasis else 1.2),
                name=name if len(curved) <= MAX_LEGEND or emphasis else None,
            )
            item.setZValue(2 if trial.number == selected else 1 if emphasis else 0)
