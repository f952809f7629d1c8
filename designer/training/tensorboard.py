"""TensorBoard event files in a run's folder, written when the tensorboard package is installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from designer.training.events import (
    EndReason,
    EpochDone,
    RunFailed,
    RunFinished,
    RunStarted,
    StepDone,
)

FOLDER = "tensorboard"
STEP_EVERY = 10  # a scalar costs tens of microseconds to write: log steps sparsely


class TensorBoardLog:
    """A listener: the loss and learning rate every STEP_EVERY steps, the train and val scores
    of each epoch and the final val and test scores, all against the run's step. A resumed run
    hides what was logged after the checkpoint it resumes from (say, before a crash)."""

    def __init__(self, folder: Path, writer_class: type) -> None:
        self.folder, self.writer_class = folder, writer_class
        self.writer: Any = None

    def __call__(self, event: Any) -> None:
        if isinstance(event, RunStarted):
            purge = event.first_step + 1 if event.first_step else None
            self.writer = self.writer_class(str(self.folder), purge_step=purge)
        elif self.writer is None:
            return
        elif isinstance(event, StepDone):
            if event.step % STEP_EVERY == 0:
                self.writer.add_scalar("step/loss", event.loss, event.step)
                self.writer.add_scalar("step/lr", event.lr, event.step)
        elif isinstance(event, EpochDone):
            self.scalars("train", event.train, event.step)
            self.scalars("val", event.val, event.step)
            self.scalars("epoch", {"lr": event.lr, "seconds": event.seconds}, event.step)
        elif isinstance(event, RunFinished):
            if event.reason != EndReason.STOPPED:  # a stopped run's scores are not final
                self.scalars("final_val", event.val, event.step)
                self.scalars("final_test", event.test, event.step)
            self.close()
        elif isinstance(event, RunFailed):
            self.close()

    def scalars(self, section: str, values: dict[str, float], step: int) -> None:
        for name, value in values.items():
            self.writer.add_scalar(f"{section}/{name}", value, step)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def tensorboard_log(run_root: Path) -> TensorBoardLog | None:
    """A log under `run_root`/tensorboard, or None when tensorboard is not installed."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return TensorBoardLog(run_root / FOLDER, SummaryWriter)
