"""Training runs in a child process (see designer.training.run_process); a QThread here reads
what a run reports and hands it to the GUI as signals and a step queue.

Nothing here imports torch until a run starts: the window must open without it."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

LAYER_STATS_SECONDS = 1.0  # live per-layer values on the canvas: once a second at most


class TrainingWorker(QObject):
    """Runs in the session's thread: reads the child's reports until it ends."""

    event_emitted = Signal(object)
    done = Signal()

    def __init__(self, process, steps: collections.deque) -> None:
        super().__init__()
        self.process, self.steps = process, steps

    @Slot()
    def run(self) -> None:
        try:
            for message in self.process.messages():
                if isinstance(message, list):
                    self.steps.extend(message)
                else:
                    self.event_emitted.emit(message)
        finally:
            self.done.emit()


class TrainingSession(QObject):
    """Runs one after another: start one, pause, resume or stop it; `steps` fills with
    StepPoints as it goes. The child process outlives a run, ready for the next."""

    event_emitted = Signal(object)
    ended = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process = None
        self.paused = False
        self.closed = False  # let go for good: the window is closing
        self.steps: collections.deque = collections.deque()
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
        from designer.training.job import RunJob

        if self.running:
            raise RuntimeError("a run is already going")
        self.prepare()
        self.steps.clear()
        self.paused = False
        self.process.start(RunJob(snapshot, path, training, resume, LAYER_STATS_SECONDS))
        self.thread = QThread(self)
        self.thread.setObjectName("training")
        self.worker = TrainingWorker(self.process, self.steps)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.event_emitted.connect(self.event_emitted)
        self.worker.done.connect(self.thread.quit)
        self.thread.finished.connect(self._finished)
        self.thread.start()

    def prepare(self) -> None:
        """Start the child process ahead of a run, if there is none: it imports torch and the
        trainer meanwhile (seconds), so that Start starts at once."""
        from designer.training.run_process import TrainingProcess

        if self.closed or (self.process is not None and self.process.alive):
            return
        if self.process is not None:
            self.process.close(0)  # ended (a crash): its pipes go
        self.process = TrainingProcess()

    def pause(self) -> None:
        if self.running:
            self.process.pause()
            self.paused = True

    def resume(self) -> None:
        if self.running:
            self.process.resume()
            self.paused = False

    def stop(self) -> None:
        if self.running:
            self.process.stop()

    def close(self, seconds: float = 30.0) -> None:
        """Stop a run, if any, and let the child process go (the window is closing): a run
        gets `seconds` to save and end, an idle child is ended at once. The thread's own quit
        is queued to this (blocked) thread, so ask it to quit here: it leaves once its reading
        ends."""
        self.closed = True
        if self.process is not None:
            self.process.close(seconds if self.running else 0)
            self.process = None
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()

    def _finished(self) -> None:
        self.worker.deleteLater()
        self.thread.deleteLater()
        self.worker, self.thread = None, None
        self.paused = False
        self.ended.emit()
