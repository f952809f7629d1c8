"""The Experiments panel: a sweep of the project started and stopped off the GUI thread, its
trials in a sortable table filled as they run, their curves, param importances and a
parallel-coordinates plot; "Apply to project" writes the chosen trial's values as one step."""

from __future__ import annotations

import os
from dataclasses import replace
from html import escape

import optuna
from optuna.trial import FrozenTrial, TrialState
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from designer.project.files import project_from_text, project_to_text
from designer.sweep.report import shown
from designer.sweep.search import STORAGE_FILE, trial_values
from designer.sweep.space import SAMPLERS, SearchSpace, SweepError, read_space
from designer.sweep.trial_apply import BEST, chosen_trial
from designer.training.config import ConfigError, parse_training
from designer.training.runs import runs_root
from designer.ui.editor import Editor
from designer.ui.experiments.importance_chart import ImportanceChart
from designer.ui.experiments.parallel_plot import ParallelPlot
from designer.ui.experiments.sweep_task import SweepTask
from designer.ui.experiments.trial_curves import TrialCurves
from designer.ui.experiments.trial_sizes import TrialSizes
from designer.ui.experiments.trial_to_project import apply_to_project
from designer.ui.experiments.trials_table import TrialsTable
from designer.ui.param_editors import ERROR_COLOR

POLL_MS = 1000  # how often a running sweep's trials are read from its study
NO_SWEEP = (
    "Mark what to sweep first: the \u2933 button beside a layer's param in the Inspector "
    "tries several values of it."
)


class ExperimentPanel(QWidget):
    """Sweeps of the editor's project and their study's trials."""

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.study: optuna.Study | None = None
        self.space: SearchSpace | None = None
        self.sizes: TrialSizes | None = None
        self.task: SweepTask | None = None
        self.trials: list[FrozenTrial] = []
        self.trials_box = QSpinBox(minimum=1, maximum=10_000, value=8)
        self.trials_box.setToolTip("How many more trials this sweep runs")
        self.jobs_box = QSpinBox(minimum=1, maximum=os.cpu_count() or 1)
        self.jobs_box.setValue(min(2, self.jobs_box.maximum()))
        self.jobs_box.setToolTip("Trials run at a time, each in a training process")
        self.timeout_box = QSpinBox(minimum=0, maximum=7 * 24 * 3600, singleStep=60)
        self.timeout_box.setSpecialValueText("none")
        self.timeout_box.setSuffix(" s")
        self.timeout_box.setToolTip("No trial starts after this many seconds (none: no limit)")
        self.sampler_box = QComboBox()
        self.sampler_box.addItems(list(SAMPLERS))
        self.sampler_box.setToolTip(
            "tpe: learns from the trials so far; random; grid: every combination of the values"
        )
        self.start_button = QPushButton("Start sweep")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the trials under way (each saves) and start no more")
        self.stop_button.clicked.connect(self.stop)
        self.apply_button = QPushButton("Apply best to project")
        self.apply_button.setToolTip(
            "Write the selected trial's values (the best's when none is selected) into the "
            "graph and training settings, as one step Undo takes back"
        )
        self.apply_button.clicked.connect(self.apply_chosen)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.table = TrialsTable()
        self.table.trial_selected.connect(self.trial_selected)
        self.curves, self.importance = TrialCurves(), ImportanceChart()
        self.parallel = ParallelPlot()
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.refresh)
        self.build_layout()
        editor.sweep_changed.connect(self.sweep_section_changed)
        self.load_study()
        self.show_buttons()

    def build_layout(self) -> None:
        controls = QHBoxLayout()
        for label, box in (
            ("Trials", self.trials_box),
            ("Jobs", self.jobs_box),
            ("Timeout", self.timeout_box),
            ("Sampler", self.sampler_box),
        ):
            controls.addWidget(QLabel(label))
            controls.addWidget(box)
        controls.addSpacing(12)
        for button in (self.start_button, self.stop_button):
            controls.addWidget(button)
        controls.addStretch(1)
        controls.addWidget(self.apply_button)
        self.plots = QTabWidget()
        self.plots.setDocumentMode(True)
        self.plots.addTab(self.curves.widget, "Curves")
        self.plots.addTab(self.importance.widget, "Importance")
        self.plots.addTab(self.parallel.widget, "Parallel coordinates")
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.plots)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 400])  # the table's columns are many
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)

    # -- the study -------------------------------------------------------------------------------

    def load_study(self) -> None:
        """The study kept beside the project's runs, if a sweep made one."""
        project = self.editor.project
        self.sampler_box.setCurrentText(project.sweep.get("sampler", "tpe"))
        if project.path is None:
            self.say(NO_SWEEP if not project.sweep else "")
            return
        storage = runs_root(project.path) / STORAGE_FILE
        if not storage.exists():
            self.say(NO_SWEEP if not project.sweep else "No sweep yet: Start runs one.")
            return
        optuna.logging.set_verbosity(optuna.logging.ERROR)
        try:
            study = optuna.load_study(study_name=project.path.stem, storage=f"sqlite:///{storage}")
        except KeyError:
            self.say("No sweep of this project yet: Start runs one.")
            return
        except Exception as error:  # a damaged file: said, not raised
            self.say(f"Cannot read the study in {storage}: {error}", error=True)
            return
        self.follow(study, self.read_space())
        self.refresh()

    def read_space(self, project=None) -> SearchSpace | None:
        try:
            return read_space(project or self.editor.project)
        except SweepError as error:
            self.say(error.message, error=True)
            return None

    def sweep_section_changed(self) -> None:
        """What is swept changed: the table's columns follow, unless a sweep runs (its
        trials have the values it started with)."""
        if self.task is not None or self.study is None:
            return
        try:
            space = read_space(self.editor.project)
        except SweepError:
            return  # the section is being edited: the study's columns stay
        self.follow(self.study, space)
        self.refresh()

    def follow(self, study: optuna.Study, space: SearchSpace | None) -> None:
        self.study = study
        if space is not None:
            self.space = space
            self.sizes = TrialSizes(self.editor.project, space)

    @property
    def monitor(self) -> str:
        try:
            return parse_training(self.editor.project.training).monitor
        except ConfigError:
            return "score"

    def refresh(self) -> None:
        """Read the study's trials and show them."""
        task = self.task
        if task is not None and task.outcome is not None and not task.running:
            self.sweep_ended(*task.outcome)  # the poll hears of the end, if the signal has not
            return
        if self.study is None or self.space is None:
            return
        self.trials = [
            trial
            for trial in self.study.get_trials(deepcopy=False)
            if trial.params and trial.state != TrialState.WAITING
        ]
        monitor, best = self.monitor, self.best_number()
        self.table.show_trials(self.trials, self.space, monitor, self.sizes)
        self.curves.show_trials(self.trials, monitor, best, self.table.selected())
        self.importance.show_study(self.study, self.space.labels())
        minimize = self.study.direction == optuna.study.StudyDirection.MINIMIZE
        self.parallel.show_trials(self.trials, self.space, monitor, minimize)
        if self.task is None or self.task.running:
            self.say(self.summary())
        self.show_buttons()

    def best_number(self) -> int | None:
        try:
            return self.study.best_trial.number if self.study is not None else None
        except ValueError:
            return None

    def summary(self) -> str:
        counts = {}
        for trial in self.trials:
            counts[trial.state] = counts.get(trial.state, 0) + 1
        words = {
            TrialState.RUNNING: "running",
            TrialState.COMPLETE: "complete",
            TrialState.PRUNED: "pruned",
            TrialState.FAIL: "failed",
        }
        parts = [f"{counts[state]} {word}" for state, word in words.items() if state in counts]
        text = f"{len(self.trials)} trials" + (f": {', '.join(parts)}" if parts else "")
        best = self.best_number()
        if best is not None:
            text += f". Best: trial {best} ({self.monitor} {shown(self.study.best_value)})"
        return text + "."

    def say(self, message: str, error: bool = False) -> None:
        text = escape(message)
        self.status.setText(f"<span style='color:{ERROR_COLOR}'>{text}</span>" if error else text)

    # -- a sweep ---------------------------------------------------------------------------------

    def start(self) -> None:
        project = self.editor.project
        if project.path is None:
            self.say("Save the project first: a sweep's trials are runs beside its file.", True)
            return
        snapshot = replace(project_from_text(project_to_text(project)), path=project.path)
        space = self.read_space(snapshot)
        if space is None:
            return
        self.sizes = TrialSizes(snapshot, space)
        self.space = space
        seconds = self.timeout_box.value() or None
        self.task = SweepTask(
            snapshot,
            self.sampler_box.currentText(),
            self.trials_box.value(),
            self.jobs_box.value(),
            seconds,
        )
        self.task.study_opened.connect(self.study_opened)
        self.task.trial_finished.connect(self.refresh)
        self.task.ended.connect(self.sweep_ended)
        self.task.start()
        self.timer.start()
        self.say(f"Sweeping {', '.join(swept.label for swept in space.params)}\u2026")
        self.show_buttons()

    def study_opened(self, study: optuna.Study) -> None:
        self.follow(study, None)
        self.refresh()

    def stop(self) -> None:
        if self.task is not None:
            self.task.stop()
            self.say("Stopping: the trials under way save their runs\u2026")
            self.stop_button.setEnabled(False)

    def sweep_ended(self, stopped: bool, message: str) -> None:
        if self.task is None:
            return  # heard already
        self.timer.stop()
        self.task = None
        self.refresh()
        if message:
            self.say(message, error=True)
        elif stopped:
            self.say(f"Stopped. {self.summary()} Start again runs the trials cut short first.")
        else:
            self.say(f"Sweep done. {self.summary()}")
        self.show_buttons()

    def show_buttons(self) -> None:
        running = self.task is not None
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running and not self.task.stop_asked.is_set())
        chosen = self.chosen()
        self.apply_button.setEnabled(self.best_number() is not None)
        self.apply_button.setText(
            f"Apply trial {chosen} to project" if chosen != BEST else "Apply best to project"
        )

    def shut_down(self) -> None:
        """The project closes: a sweep under way stops (its runs save first)."""
        self.timer.stop()
        self.editor.sweep_changed.disconnect(self.sweep_section_changed)
        if self.task is not None:
            self.task.stop()
            self.task.ended.disconnect(self.sweep_ended)

    # -- applying a trial ------------------------------------------------------------------------

    def chosen(self) -> str:
        """The selected trial's number when it is complete, else "best"."""
        number = self.table.selected()
        complete = {t.number for t in self.trials if t.state == TrialState.COMPLETE}
        return str(number) if number in complete else BEST

    def trial_selected(self, _number: int | None) -> None:
        self.curves.show_trials(
            self.trials, self.monitor, self.best_number(), self.table.selected()
        )
        self.show_buttons()

    def apply_chosen(self) -> None:
        if self.study is None:
            return
        source = str(self.editor.project.path or self.editor.project.name)
        try:
            trial = chosen_trial(self.study, self.chosen(), source)
            space = read_space(self.editor.project)
            values = trial_values(trial, space)
            apply_to_project(self.editor, space, values, f"Apply trial {trial.number}'s values")
        except SweepError as error:
            self.say(f"Cannot apply the trial: {error.message}", error=True)
            return
        shown_values = ", ".join(
            f"{space.labels()[key]}={shown(value)}" for key, value in values.items()
        )
        self.say(f"Trial {trial.number}'s values are in the project: {shown_values}.")
