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
    keep their weights (see freezing) until a step of `unfreeze`, (epoch, paths), lets
    those at its paths train from the start of its epoch; the optimizer trains them,
    the backbone, at the rate times `backbone_lr_factor`. Every value is given (the
    project's defaults live with its settings, not here)."""

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
    unfreeze: tuple[tuple[int, tuple[str, ...]], ...]
    backbone_lr_factor: float


def make_optimizer(
    network: torch.nn.Module, settings: TrainingSettings, lr: float
) -> torch.optim.Optimizer:
    """The settings' optimizer at rate `lr` over the parameters that train from the
    start, and, where layers are unfrozen later, a second group over theirs (the
    backbone's) at `lr` times the backbone's factor. That group is there from the start,
    its parameters skipped while they take no gradient: a schedule scales both groups
    from the first step, and a checkpoint's optimizer fits whatever its epoch. Frozen
    layers that no step unfreezes stay out."""
    options = settings.optimizer_options
    later = {
        parameter
        for _, paths in settings.unfreeze
        for path in paths
        for parameter in network.get_submodule(path).parameters()
    }
    parameters = list(network.parameters())
    trained = [p for p in parameters if p.requires_grad and p not in later]
    groups = [{"params": trained}]
    if later:
        backbone = [p for p in parameters if p in later]  # in the network's order
        groups.append({"params": backbone, "lr": lr * settings.backbone_lr_factor})
    return settings.optimizer(groups, lr, **options)
