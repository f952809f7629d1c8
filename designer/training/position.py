"""Where a run stands: epoch, step, running totals, early stopping; what checkpoints keep."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from designer.training.tally import Tally


@dataclass
class Position:
    """`epoch` is the epoch under way (from 1) and `batch` the batches done in it; `step`
    counts every batch of the run. `epoch_start` is the shuffler's state when the epoch began."""

    epoch: int
    epoch_start: torch.Tensor
    batch: int = 0
    step: int = 0
    tally: Tally = field(default_factory=Tally)
    best: float | None = None
    best_epoch: int = 0
    bad_epochs: int = 0

    def counts(
        self, loss: float, samples: int, answers: tuple[torch.Tensor, torch.Tensor] | None
    ) -> None:
        self.batch += 1
        self.step += 1
        self.tally.add(loss, samples, answers)

    def next_epoch(self, epoch_start: torch.Tensor) -> None:
        self.epoch += 1
        self.epoch_start = epoch_start
        self.batch = 0
        self.tally = Tally()

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
            "totals": self.tally.totals(),
            "best": self.best,
            "best_epoch": self.best_epoch,
            "bad_epochs": self.bad_epochs,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Position:
        return cls(
            epoch=state["epoch"],
            epoch_start=state["rng"]["shuffle"],
            batch=state["batch"],
            step=state["step"],
            tally=Tally(*state["totals"]),
            best=state["best"],
            best_epoch=state["best_epoch"],
            bad_epochs=state["bad_epochs"],
        )
