"""A sweep run in a worker thread: the study opened and its trials run there, so the window
never waits; `stop` (from the GUI thread) interrupts it, each run under way saving first."""

from __future__ import annotations

import threading
from dataclasses import replace

import optuna
from PySide6.QtCore import QObject, Signal, Slot

from designer.project import Project
from designer.sweep.search import open_study
from designer.sweep.space import SweepError, read_space
from designer.sweep.sweep import Budget, Sweep, counted

# Sweeps whose thread runs, kept until it ends: a sweep outlives a project closed meanwhile.
RUNNING: set[SweepTask] = set()


class SweepTask(QObject):
    """Runs `trials` more trials of `project`'s study (a snapshot: edits made meanwhile do not
    reach it), `jobs` at a time, none started after `seconds` (None: no limit), with the
    `sampler` given. `study_opened` once the study is there to read, `trial_finished` as each
    trial ends, `ended` with whether it was stopped and an error message (empty if none)."""

    study_opened = Signal(object)
    trial_finished = Signal()
    ended = Signal(bool, str)

    def __init__(
        self, project: Project, sampler: str, trials: int, jobs: int, seconds: float | None
    ) -> None:
        super().__init__()
        self.project, self.sampler, self.trials = project, sampler, trials
        self.jobs, self.seconds = jobs, seconds
        self.sweep: Sweep | None = None
        self.stop_asked = threading.Event()
        self.lock = threading.Lock()  # the sweep is made, or a stop asked, never between
        self.thread: threading.Thread | None = None
        self.outcome: tuple[bool, str] | None = None  # (stopped, message) once it has ended
        self.ended.connect(self.forget)  # queued: runs in the GUI thread

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
        RUNNING.add(self)
        self.thread = threading.Thread(target=self.run, name="sweep", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        with self.lock:
            self.stop_asked.set()
            if self.sweep is not None:
                self.sweep.interrupt()

    def run(self) -> None:
        stopped, message = False, ""
        try:
            stopped = self.search()
        except SweepError as error:
            message = error.message
        except Exception as error:  # shown as a message; the window goes on
            message = f"{type(error).__name__}: {error}"
        finally:
            self.outcome = (stopped, message)
            self.ended.emit(stopped, message)

    def search(self) -> bool:
        optuna.logging.set_verbosity(optuna.logging.ERROR)  # the view says what happens
        space = replace(read_space(self.project), sampler=self.sampler)
        study, objective = open_study(self.project, space, None)
        with self.lock:
            if self.stop_asked.is_set():
                return True
            self.sweep = Sweep(self.project, space, study, objective, self.jobs)
        self.study_opened.emit(study)
        budget = Budget(len(counted(study)) + self.trials, self.seconds)
        return self.sweep.run(budget, lambda _trial: self.trial_finished.emit())

    @Slot()
    def forget(self) -> None:
        """Let go of it: whoever still holds it (the panel) keeps it; not deleteLater, which
        would drop the other slots' calls still queued from this signal."""
        RUNNING.discard(self)
