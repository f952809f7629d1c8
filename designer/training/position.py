"""Where a run stands: epoch, batch, step, the epoch's running totals and early-stopping
memory; what a checkpoint must hold so that a resumed run repeats the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch


@dataclass
class Position:
    """`epoch` is the epoch under way (from 1) and `batch` the batches done in it; `step`
    counts every batch of the run. `epoch_start` is the shuffler's state when the epoch began."""

    epoch: int
    epoch_start: torch.Tensor
    batch: int = 0
    step: int = 0
    loss_sum: float = 0.0
    samples: int = 0
    correct: int = 0
    targets: int = 0
    best: float | None = None
    best_epoch: int = 0
    bad_epochs: int = 0

    def counts(self, loss: float, samples: int, correct: int, targets: int) -> None:
        self.batch += 1
        self.step += 1
        self.loss_sum += loss * samples
        self.samples += samples
        self.correct += correct
        self.targets += targets

    def train_scores(self, classification: bool) -> dict[str, float]:
        scores = {"loss": self.loss_sum / max(1, self.samples)}
        if classification:
            scores["accuracy"] = self.correct / max(1, self.targets)
        return scores

    def next_epoch(self, epoch_start: torch.Tensor) -> None:
        self.epoch += 1
        self.epoch_start = epoch_start
        self.batch = 0
        self.loss_sum, self.samples, self.correct, self.targets = 0.0, 0, 0, 0

    def improved(self, value: float, lower_is_better: bool, min_delta: float) -> bool:
        if self.best is None:
            return True
        if lower_is_better:
            return value < self.best - min_delta
        return value > self.best + min_delta

    def to_state(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "batch": self.batch,
            "step": self.step,
            "totals": [self.loss_sum, self.samples, self.correct, self.targets],
            "best": self.best,
            "best_epoch": self.best_epoch,
            "bad_epochs": self.bad_epochs,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Position:
        loss_sum, samples, correct, targets = state["totals"]
        return cls(
            epoch=state["epoch"],
            epoch_start=state["rng"]["shuffle"],
            batch=state["batch"],
            step=state["step"],
            loss_sum=loss_sum,
            samples=samples,
            correct=correct,
            targets=targets,
            best=state["best"],
            best_epoch=state["best_epoch"],
            bad_epochs=state["bad_epochs"],
        )
