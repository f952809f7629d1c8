"""Optimizers and learning-rate schedules built from the checked training settings."""

from __future__ import annotations

import torch
from torch import nn

from designer.training.config import OptimizerConfig, ScheduleConfig


def build_optimizer(config: OptimizerConfig, model: nn.Module) -> torch.optim.Optimizer:
    parameters = model.parameters()
    lr, decay = config.lr, config.weight_decay
    if config.name == "sgd":
        return torch.optim.SGD(
            parameters, lr, momentum=config.momentum, nesterov=config.nesterov, weight_decay=decay
        )
    if config.name == "adam":
        return torch.optim.Adam(parameters, lr, betas=config.betas, weight_decay=decay)
    if config.name == "adamw":
        return torch.optim.AdamW(parameters, lr, betas=config.betas, weight_decay=decay)
    if config.name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr, momentum=config.momentum, weight_decay=decay)
    return torch.optim.Adagrad(parameters, lr, weight_decay=decay)


class Schedule:
    """Steps a scheduler at the right moments: one-cycle after every batch, the others after
    every epoch, reduce-on-plateau with the monitored validation value."""

    def __init__(
        self,
        config: ScheduleConfig,
        optimizer: torch.optim.Optimizer,
        epochs: int,
        steps_per_epoch: int,
        lr: float,
    ) -> None:
        self.name = config.name
        self.per_step = config.name == "one_cycle"  # steps after every batch
        lr_scheduler = torch.optim.lr_scheduler
        self.scheduler: lr_scheduler.LRScheduler | lr_scheduler.ReduceLROnPlateau | None = None
        if config.name == "step":
            self.scheduler = lr_scheduler.StepLR(optimizer, config.step_size, config.gamma)
        elif config.name == "cosine":
            self.scheduler = lr_scheduler.CosineAnnealingLR(optimizer, epochs, config.min_lr)
        elif config.name == "one_cycle":
            self.scheduler = lr_scheduler.OneCycleLR(
                optimizer, config.max_lr or lr * 10, epochs=epochs, steps_per_epoch=steps_per_epoch
            )
        elif config.name == "plateau":
            self.scheduler = lr_scheduler.ReduceLROnPlateau(
                optimizer, "min", config.factor, config.patience, min_lr=config.min_lr
            )

    def after_step(self) -> None:
        """After every batch, for a schedule that is `per_step` (the trainer asks first)."""
        self.scheduler.step()

    def after_epoch(self, monitored: float, lower_is_better: bool) -> None:
        if self.name == "plateau":
            self.scheduler.step(monitored if lower_is_better else -monitored)
        elif self.scheduler is not None and self.name != "one_cycle":
            self.scheduler.step()

    def state_dict(self) -> dict | None:
        return None if self.scheduler is None else self.scheduler.state_dict()

    def load_state_dict(self, state: dict | None) -> None:
        if self.scheduler is not None and state is not None:
            self.scheduler.load_state_dict(state)
