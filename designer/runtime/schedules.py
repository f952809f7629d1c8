"""Learning-rate schedules: each kind builds its torch scheduler, and Schedule steps it
at the right moments (one-cycle after every batch, the others after every epoch)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import torch
from torch.optim import lr_scheduler


class ScheduleKind(Protocol):
    """A kind of schedule and its settings (StepDecay, Cosine, OneCycle, Plateau):
    `build` makes the torch scheduler for `epochs` epochs of `steps` batches each."""

    per_step: ClassVar[bool]  # stepped after every batch, not after every epoch

    def build(
        self, optimizer: torch.optim.Optimizer, epochs: int, steps: int, lr: float
    ) -> Any: ...


@dataclass(frozen=True)
class StepDecay:
    """The rate times `gamma` every `step_size` epochs."""

    step_size: int
    gamma: float
    per_step: ClassVar[bool] = False

    def build(
        self, optimizer: torch.optim.Optimizer, epochs: int, steps: int, lr: float
    ) -> Any:
        return lr_scheduler.StepLR(optimizer, self.step_size, self.gamma)


@dataclass(frozen=True)
class Cosine:
    """Cosine annealing from the rate down to `min_lr` over the run's epochs (every
    parameter group's: torch's scheduler takes one floor)."""

    min_lr: float
    per_step: ClassVar[bool] = False

    def build(
        self, optimizer: torch.optim.Optimizer, epochs: int, steps: int, lr: float
    ) -> Any:
        return lr_scheduler.CosineAnnealingLR(optimizer, epochs, self.min_lr)


@dataclass(frozen=True)
class OneCycle:
    """Up to `max_lr` (0: ten times the rate) and down in one cycle, every batch; a
    parameter group with a rate of its own (the backbone's) peaks in proportion."""

    max_lr: float
    per_step: ClassVar[bool] = True

    def build(
        self, optimizer: torch.optim.Optimizer, epochs: int, steps: int, lr: float
    ) -> Any:
        peak = self.max_lr or lr * 10
        peaks = [peak * group["lr"] / lr for group in optimizer.param_groups]
        return lr_scheduler.OneCycleLR(
            optimizer, peaks, epochs=epochs, steps_per_epoch=steps
        )


@dataclass(frozen=True)
class Plateau:
    """The rate times `factor` after `patience` epochs without a better score, down
    to `min_lr`; a parameter group with a rate of its own (the backbone's) down to the
    same fraction of it."""

    factor: float
    patience: int
    min_lr: float
    per_step: ClassVar[bool] = False

    def build(
        self, optimizer: torch.optim.Optimizer, epochs: int, steps: int, lr: float
    ) -> Any:
        floors = [self.min_lr * group["lr"] / lr for group in optimizer.param_groups]
        return lr_scheduler.ReduceLROnPlateau(
            optimizer, "min", self.factor, self.patience, min_lr=floors
        )


class Schedule:
    """Steps the scheduler that `kind` builds (None: a constant rate) over `epochs`
    epochs of `steps` batches; reduce-on-plateau steps with the monitored score."""

    def __init__(
        self,
        kind: ScheduleKind | None,
        optimizer: torch.optim.Optimizer,
        epochs: int,
        steps: int,
        lr: float,
    ) -> None:
        self.scheduler = (
            None if kind is None else kind.build(optimizer, epochs, steps, lr)
        )
        self.per_step = kind is not None and kind.per_step

    def after_step(self) -> None:
        """After every batch, for a `per_step` schedule (the Step asks first)."""
        self.scheduler.step()

    def after_epoch(self, monitored: float, lower_is_better: bool) -> None:
        if isinstance(self.scheduler, lr_scheduler.ReduceLROnPlateau):
            # The scheduler works in "min" mode: a score where higher is better is
            # negated.
            self.scheduler.step(monitored if lower_is_better else -monitored)
        elif self.scheduler is not None and not self.per_step:
            self.scheduler.step()

    def state_dict(self) -> dict | None:
        return None if self.scheduler is None else self.scheduler.state_dict()

    def load_state_dict(self, state: dict | None) -> None:
        if self.scheduler is not None and state is not None:
            self.scheduler.load_state_dict(state)
