"""The monitored score across epochs: whether an epoch improved it, the best weights
kept, and early stopping after too many epochs without improvement."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from designer.runtime.scores import lower_is_better


@dataclass
class Monitor:
    """Watches `metric` (val_loss, val_accuracy, ...); an epoch improves it by more than
    `min_delta`. With `patience`, that many epochs in a row without improvement stop the
    run; with `restore_best`, the best epoch's weights are kept for the end."""

    metric: str
    min_delta: float = 0.0
    patience: int = 0
    restore_best: bool = True
    best: float | None = None
    best_epoch: int = 0
    bad_epochs: int = 0
    best_state: dict[str, torch.Tensor] | None = None

    def update(self, record: dict[str, float], epoch: int, model: nn.Module) -> bool:
        """Whether this epoch's `record` improved the monitored score (keeping the
        weights)."""
        value = record[self.metric]
        if self.best is None:
            improved = True
        elif lower_is_better(self.metric):
            improved = value < self.best - self.min_delta
        else:
            improved = value > self.best + self.min_delta
        if improved:
            self.best, self.best_epoch, self.bad_epochs = value, epoch, 0
            if self.restore_best:
                self.best_state = {
                    k: v.detach().clone() for k, v in model.state_dict().items()
                }
        else:
            self.bad_epochs += 1
        return improved

    def should_stop(self) -> bool:
        return bool(self.patience) and self.bad_epochs >= self.patience
