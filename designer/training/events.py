"""What a trainer tells its listeners: data and tensors it no longer changes; no Qt."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import torch

from designer.runtime.scores import right_answers
from designer.training.layer_stats import LayerStats
from designer.training.val_samples import ValSamples


@dataclass(frozen=True)
class RunStarted:
    run_id: str
    run_dir: Path | None
    epochs: int
    steps_per_epoch: int
    device: str
    first_step: int
    warnings: tuple[str, ...] = ()
    class_names: tuple[str, ...] = ()


@dataclass(slots=True)
class StepDone:
    """One optimizer step; `epoch` is the epoch under way, from 1 (as the CLI and the panel
    show it); `batch` counts within the epoch, `step` over the whole run.
    `answers` holds the batch's (predicted classes, targets) where there are classes; the
    right answers are counted from them when `accuracy` is read, so that steps no listener
    looks at cost no counting. Made at every step, so slotted and not frozen: a frozen
    dataclass sets each field through object.__setattr__, five times the cost; listeners treat
    it as read-only all the same."""

    epoch: int
    batch: int
    step: int
    loss: float
    lr: float
    samples: int
    answers: tuple[torch.Tensor, torch.Tensor] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def accuracy(self) -> float | None:
        if self.answers is None:
            return None
        predicted, target = self.answers
        return int(right_answers(predicted, target)) / max(1, target.numel())


@dataclass(frozen=True)
class EpochDone:
    epoch: int
    step: int
    train: dict[str, float]
    val: dict[str, float]
    lr: float
    seconds: float
    confusion: list[list[int]] | None = None
    improved: bool = False
    samples: ValSamples | None = field(default=None, repr=False, compare=False)
    skipped: tuple[str, ...] = ()  # unreadable training samples first left out this epoch
    skipped_total: int = 0  # all left out so far


@dataclass(frozen=True)
class LayersSampled:
    """Live per-layer values of one sampled step, by node id (see layer_stats)."""

    epoch: int
    step: int
    layers: dict[str, LayerStats]


@dataclass(frozen=True)
class CheckpointSaved:
    kind: str  # "best" or "last"
    path: Path
    epoch: int
    step: int


class EndReason(StrEnum):
    """Why a run that did not fail ended."""

    COMPLETED = "completed"
    EARLY_STOPPED = "early_stopped"  # no better monitored score for `patience` epochs
    STOPPED = "stopped"  # the user asked


def serialized(listener: Listener) -> Listener:
    """`listener`, called by one thread at a time (the run's and the baseline's)."""
    lock = threading.Lock()

    def call(event: Event) -> None:
        with lock:
            listener(event)

    return call


class FailureKind(StrEnum):
    """What made a run fail."""

    SETUP = "setup"  # the project could not start a run (its message says why)
    NAN = "nan"  # the loss became NaN or infinite
    OUT_OF_MEMORY = "out_of_memory"
    WRITE = "write"  # the run's folder could not be written
    DATA = "data"  # a sample could not be read (an image gone or broken since the start)
    CRASHED = "crashed"  # the training process ended under the run
    ERROR = "error"  # anything else, with its traceback in `details`


@dataclass(frozen=True)
class RunFinished:
    """Scores are of the weights kept."""

    reason: EndReason
    epoch: int
    step: int
    val: dict[str, float] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class BaselineFitted:
    """A classical model's scores on the run's split (`model` names it), for comparison."""

    model: str
    val: dict[str, float]
    test: dict[str, float]


@dataclass(frozen=True)
class WeightsFetching:
    """The start weights being downloaded before the run starts: bytes so far, in all
    (0: not said)."""

    done: int
    total: int


@dataclass(frozen=True)
class RunFailed:
    """`message` is written for the user."""

    kind: FailureKind
    message: str
    epoch: int
    step: int
    details: str = ""


Event = (
    WeightsFetching
    | RunStarted
    | StepDone
    | LayersSampled
    | EpochDone
    | CheckpointSaved
    | RunFinished
    | RunFailed
)
Listener = Callable[[Any], None]
