"""The training settings a run resolves from its project: everything the loop needs
besides the network, the data and the loss."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from designer.runtime.schedules import ScheduleKind


@dataclass(frozen=True)
class TrainingSettings:
    """`optimizer` is a torch optimizer class made with the rate and
    `optimizer_options`; `schedule` a schedule kind or None. The monitored metric
    (`monitor`) picks the best epoch and, with `patience`, stops the run early. The
    command line of the exported script overrides epochs, batch size, rate, seed,
    device, threads and init_weights."""

    epochs: int = 10
    batch_size: int = 32
    lr: float = 1e-3
    seed: int = 0
    device: str = "auto"
    threads: int = 0
    optimizer: type[torch.optim.Optimizer] = torch.optim.Adam
    optimizer_options: dict[str, Any] = field(default_factory=dict)
    schedule: ScheduleKind | None = None
    clip_norm: float = 0.0
    clip_value: float = 0.0
    mixed_precision: bool = False
    monitor: str = "val_loss"
    min_delta: float = 0.0
    patience: int = 0
    restore_best: bool = True
    init_weights: str | None = None


def make_optimizer(
    network: torch.nn.Module, settings: TrainingSettings, lr: float
) -> torch.optim.Optimizer:
    """The settings' optimizer over the network's parameters at rate `lr`."""
    options = settings.optimizer_options
    return settings.optimizer(network.parameters(), lr, **options)
