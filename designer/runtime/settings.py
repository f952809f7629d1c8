"""The training settings a run resolves from its project: everything the loop needs
besides the network, the data and the loss."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from designer.runtime.schedules import ScheduleKind


@dataclass(frozen=True)
class TrainingSettings:
    """`optimizer` is a torch optimizer class made with the rate and
    `optimizer_options`; `schedule` a schedule kind or None. The monitored metric
    (`monitor`) picks the best epoch and, with `patience`, stops the run early. The
    command line of the exported script overrides epochs, batch size, rate, seed,
    device, threads and init_weights; without init_weights, the network starts from the
    `pretrained` weights where there are some. The submodules at the paths `frozen`
    keep their weights (see freezing). Every value is given (the project's
    defaults live with its settings, not here)."""

    epochs: int
    batch_size: int
    lr: float
    seed: int
    device: str
    threads: int
    optimizer: type[torch.optim.Optimizer]
    optimizer_options: dict[str, Any]
    schedule: ScheduleKind | None
    clip_norm: float
    clip_value: float
    mixed_precision: bool
    monitor: str
    min_delta: float
    patience: int
    restore_best: bool
    init_weights: str | None
    # PretrainedWeights, FileWeights or None; unnamed here, so that only a script that
    # starts from such weights carries the code that reads them.
    pretrained: Any
    frozen: tuple[str, ...]


def make_optimizer(
    network: torch.nn.Module, settings: TrainingSettings, lr: float
) -> torch.optim.Optimizer:
    """The settings' optimizer over the parameters that train (not the frozen ones) at
    rate `lr`."""
    options = settings.optimizer_options
    trained = [
        parameter for parameter in network.parameters() if parameter.requires_grad
    ]
    return settings.optimizer(trained, lr, **options)
