"""A parallel-coordinates plot of the trials: an axis per swept value and one for the score,
each trial a line across them, coloured by its score (pruned and failed trials grey)."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from optuna.trial import FrozenTrial

from designer.sweep.report import shown
from designer.sweep.search import trial_values
from designer.sweep.space import SearchSpace, Swept
from designer.ui.experiments.labels import short_label
from designer.ui.training.plain_plots import plain_plot_widget

UNSCORED_PEN = pg.mkPen((150, 150, 150, 110), width=1)
AXIS_PEN = pg.mkPen((120, 120, 120), width=1.5)
COLOR_MAP = pg.colormap.get("plasma")


def place_on_axis(swept: Swept, value: Any) -> float:
    """Where `value` sits on its axis, from 0 (low, the first choice) to 1."""
    if swept.choices is not None:
        index = list(swept.choices).index(value)
        return index / (len(swept.choices) - 1) if len(swept.choices) > 1 else 0.5
    low, high, value = float(swept.low), float(swept.high), float(value)
    if swept.log:
        low, high, value = math.log(low), math.log(high), math.log(value)
    return (value - low) / (high - low)


def axis_ends(swept: Swept) -> tuple[str, str]:
    if swept.choices is not None:
        return shown(swept.choices[0]), shown(swept.choices[-1])
    return shown(swept.low), shown(swept.high)


class ParallelPlot:
    """The plot; `show_trials` redraws it."""

    def __init__(self) -> None:
        self.widget = plain_plot_widget()
        self.widget.setMouseEnabled(x=False, y=False)
        self.widget.hideAxis("left")
        self.widget.setMenuEnabled(False)
        self.lines = 0  # trials drawn, for tests and tooltips

    def show_trials(
        self, trials: list[FrozenTrial], space: SearchSpace, monitor: str, minimize: bool
    ) -> None:
        plot = self.widget
        plot.clear()
        names = [short_label(swept) for swept in space.params] + [monitor]
        plot.getAxis("bottom").setTicks([list(enumerate(names))])
        scores = [trial.value for trial in trials if trial.value is not None]
        low, high = (min(scores), max(scores)) if scores else (0.0, 1.0)
        ends = [axis_ends(swept) for swept in space.params] + [(shown(low), shown(high))]
        for x, (bottom, top) in enumerate(ends):
            plot.plot([x, x], [0, 1], pen=AXIS_PEN)
            for y, text, anchor in ((0, bottom, (0.5, 0)), (1, top, (0.5, 1))):
                label = pg.TextItem(text, color=(90, 90, 90), anchor=anchor)
                label.setPos(x, y)
                plot.addItem(label)
        self.lines = 0
        for trial in trials:
            values = trial_values(trial, space)
            if len(values) < len(space.params):
                continue
            ys = [place_on_axis(swept, values[swept.key]) for swept in space.params]
            if trial.value is None:
                pen = UNSCORED_PEN
            else:
                y = (trial.value - low) / (high - low) if high > low else 0.5
                ys.append(y)
                goodness = 1 - y if minimize else y
                pen = pg.mkPen(COLOR_MAP.map(0.15 + 0.8 * goodness, mode="qcolor"), width=2)
            plot.plot(list(range(len(ys))), ys, pen=pen)
            self.lines += 1
        plot.setXRange(-0.6, len(names) - 0.4, padding=0)  # room for the end names
        plot.setYRange(-0.12, 1.12, padding=0)
