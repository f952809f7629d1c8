"""Optuna's param importances as horizontal bars, or why there are none yet."""

from __future__ import annotations

import optuna
import pyqtgraph as pg
from optuna.trial import TrialState
from PySide6.QtWidgets import QLabel, QStackedWidget

from designer.ui.training.plain_plots import plain_plot_widget

MIN_COMPLETE = 3  # complete trials before importances mean anything
BAR_BRUSH = "#5e35b1"


class ImportanceChart:
    """The chart, or a sentence saying why there is none; `show_study` works it out."""

    def __init__(self) -> None:
        self.plot = plain_plot_widget()
        self.plot.setLabel("bottom", "importance (share of the score's variance)")
        self.plot.setMouseEnabled(x=False, y=False)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.widget = QStackedWidget()
        self.widget.addWidget(self.reason)
        self.widget.addWidget(self.plot)
        self.importances: dict[str, float] = {}
        self.shown_for: tuple | None = None

    def say(self, reason: str) -> None:
        self.importances = {}
        self.reason.setText(reason)
        self.widget.setCurrentWidget(self.reason)

    def show_study(self, study: optuna.Study | None, labels: dict[str, str]) -> None:
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if study else []
        key = tuple(trial.number for trial in complete)
        if key == self.shown_for:
            return  # the same complete trials: the same importances
        self.shown_for = key
        if len(complete) < MIN_COMPLETE:
            self.say(
                f"Param importance needs {MIN_COMPLETE} complete trials; the study has "
                f"{len(complete)}. Pruned and failed trials do not count."
            )
            return
        try:
            importances = optuna.importance.get_param_importances(study)
        except (ValueError, RuntimeError) as error:
            self.say(f"Param importance cannot be worked out yet: {error}")
            return
        if not importances:
            self.say("Param importance needs trials whose swept values differ.")
            return
        self.draw({labels.get(key, key): value for key, value in importances.items()})

    def draw(self, importances: dict[str, float]) -> None:
        self.importances = importances
        names = list(reversed(importances))  # the most important on top
        plot = self.plot
        plot.clear()
        widths = [importances[name] for name in names]
        positions = list(range(len(names)))
        plot.addItem(pg.BarGraphItem(x0=0, y=positions, height=0.6, width=widths, brush=BAR_BRUSH))
        plot.getAxis("left").setTicks([list(enumerate(names))])
        plot.setXRange(0, 1, padding=0.02)
        plot.setYRange(-0.6, len(names) - 0.4, padding=0)
        self.widget.setCurrentWidget(self.plot)
