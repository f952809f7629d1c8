"""Where a run stands: epoch, step and running totals, as checkpoints keep them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from designer.runtime.tally import Tally


@dataclass
class Position:
    """`epoch` is the epoch under way (from 1) and `batch` the batches done in it; `step`
    counts every batch of the run. `epoch_start` is the shuffler's state when the epoch began."""

    epoch: int
    epoch_start: torch.Tensor
    batch: int = 0
    step: int = 0
    tally: Tally = field(default_factory=Tally)

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

    def to_state(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "batch": self.batch,
            "step": self.step,
            "totals": self.tally.totals(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Position:
        return cls(
            epoch=state["epoch"],
            epoch_start=state["rng"]["shuffle"],
            batch=state["batch"],
            step=state["step"],
            tally=Tally(*state["totals"]),
        )
