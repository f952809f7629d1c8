"""A training run in a background QThread; its events reach the GUI as signals and a step queue.

Nothing here imports torch until a run starts: the window must open without it."""

from __future__ import annotations

import collections
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

RUN_SWITCH_INTERVAL = 0.0005
LAYER_STATS_SECONDS = 1.0  # live per-layer values on the canvas: once a second at most


@dataclass(frozen=True)
class StepPoint:
    """What the plots need of one step; the trainer's tensors stay in its thread."""

    step: int
    epoch: int
    loss: float
    lr: float
    samples: int
    time: float


class TrainingWorker(QObject):
    """Runs in the session's thread: prepares the run from a snapshot and trains it."""

    event_emitted = Signal(object)
    done = Signal()

    def __init__(
        self,
        snapshot: str,
        path: Path | None,
        training: dict[str, Any],
        session,
        resume: str | None = None,
    ):
        super().__init__()
        self.snapshot, self.path, self.training, self.resume = snapshot, path, training, resume
        self.control = session.control
        self.steps: collections.deque[StepPoint] = session.steps

    @Slot()
    def run(self) -> None:
        from designer.data import SetupError
        from designer.project import ProjectError, project_from_text
        from designer.training import RunFailed, Trainer, new_run, open_run, prepare_run
        from designer.training.resume import resume_setup

        try:
            project = project_from_text(self.snapshot, str(self.path or "project"))
            project.path = self.path
            if self.resume is not None:
                run = open_run(self.path, self.resume)
                setup = resume_setup(project, run, epochs=self.training.get("epochs"))
            else:
                setup = prepare_run(project, training=self.training)
                run = new_run(self.path) if self.path is not None else None
            result = Trainer(
                setup,
                run,
                self.control,
                [self.listen],
                self.resume is not None,
                LAYER_STATS_SECONDS,
            ).run()
            self.fit_baseline(setup, result)
        except (SetupError, ProjectError) as error:
            self.event_emitted.emit(RunFailed("setup", str(error), 0, 0))
        except Exception as error:  # the app must live on whatever the run does
            self.event_emitted.emit(RunFailed("error", f"{type(error).__name__}: {error}", 0, 0))
        finally:
            self.done.emit()

    def fit_baseline(self, setup, result) -> None:
        """After a run that was not stopped: the random-forest score on the same split, which
        the metric plot shows as a line to beat."""
        from designer.training import RunFinished
        from designer.training.baseline import fit_baseline  # scikit-learn: in this thread
        from designer.training.events import BaselineFitted

        if isinstance(result, RunFinished) and result.reason != "stopped" and setup.config.baseline:
            baseline = fit_baseline(setup.data, setup.config.seed)
            if baseline is not None:
                self.event_emitted.emit(BaselineFitted(baseline.model, baseline.val, baseline.test))

    def listen(self, event: Any) -> None:
        from designer.training import StepDone

        if isinstance(event, StepDone):
            point = StepPoint(
                event.step, event.epoch, event.loss, event.lr, event.samples, time.monotonic()
            )
            self.steps.append(point)
        else:
            self.event_emitted.emit(event)


class TrainingSession(QObject):
    """One run: start it, pause, resume or stop it; `steps` fills with StepPoints as it goes."""

    event_emitted = Signal(object)
    ended = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.control = None
        self.steps: collections.deque[StepPoint] = collections.deque()
        self.thread: QThread | None = None
        self.worker: TrainingWorker | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None

    def start(
        self,
        snapshot: str,
        path: Path | None,
        training: dict[str, Any],
        resume: str | None = None,
    ) -> None:
        """Train `snapshot` (project JSON); with `resume`, continue that run of the project."""
        from designer.training import RunControl

        if self.running:
            raise RuntimeError("a run is already going")
        self.control = RunControl()
        self.steps.clear()
        self.thread = QThread(self)
        self.thread.setObjectName("training")
        self.worker = TrainingWorker(snapshot, path, training, self, resume)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.event_emitted.connect(self.event_emitted)
        self.worker.done.connect(self.thread.quit)
        self.thread.finished.connect(self._finished)
        # Hand the interpreter lock between the GUI and the trainer more often while a run
        # goes: the trainer waits for it between torch calls (measured: up to +20% steps/s).
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(RUN_SWITCH_INTERVAL)
        self.thread.start()

    @property
    def paused(self) -> bool:
        return self.control is not None and self.control.paused

    def pause(self) -> None:
        if self.control is not None:
            self.control.pause()

    def resume(self) -> None:
        if self.control is not None:
            self.control.resume()

    def stop(self) -> None:
        if self.control is not None:
            self.control.stop()

    def wait(self, milliseconds: int = 30_000) -> bool:
        """Block until the run's thread ends (for closing the window). The thread's own quit
        is queued to this (blocked) thread, so ask it to quit here: it leaves once run returns."""
        if self.thread is None:
            return True
        self.thread.quit()
        return self.thread.wait(milliseconds)

    def _finished(self) -> None:
        sys.setswitchinterval(self.switch_interval)
        self.worker.deleteLater()
        self.thread.deleteLater()
        self.worker, self.thread = None, None
        self.ended.emit()
