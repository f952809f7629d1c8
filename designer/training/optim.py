"""The runtime's training settings from a checked training configuration: the optimizer class
and its options, the schedule kind, clipping, precision and what the run monitors."""

from __future__ import annotations

from typing import Any

import torch

from designer.project.training_settings import OptimizerConfig, ScheduleConfig, TrainingConfig
from designer.runtime.schedules import Cosine, OneCycle, Plateau, StepDecay
from designer.runtime.settings import TrainingSettings
from designer.training.start_weights import weights_source

OPTIMIZER_CLASSES: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}


def optimizer_options(config: OptimizerConfig) -> dict[str, Any]:
    """The keyword arguments the optimizer takes besides the parameters and the rate."""
    if config.name == "sgd":
        options = {"momentum": config.momentum, "nesterov": config.nesterov}
    elif config.name in ("adam", "adamw"):
        options = {"betas": config.betas}
    elif config.name == "rmsprop":
        options = {"momentum": config.momentum}
    else:
        options = {}
    return {**options, "weight_decay": config.weight_decay}


def schedule_kind(config: ScheduleConfig) -> StepDecay | Cosine | OneCycle | Plateau | None:
    if config.name == "step":
        return StepDecay(config.step_size, config.gamma)
    if config.name == "cosine":
        return Cosine(config.min_lr)
    if config.name == "one_cycle":
        return OneCycle(config.max_lr)
    if config.name == "plateau":
        return Plateau(config.factor, config.patience, config.min_lr)
    return None


def runtime_settings(
    config: TrainingConfig,
    init_weights: str | None = None,
    frozen: tuple[str, ...] = (),
    unfreeze: tuple[tuple[int, tuple[str, ...]], ...] = (),
) -> TrainingSettings:
    """What the runtime's loop reads; `init_weights` is the checkpoint a run starts from,
    else the weights of training.start_weights (published ones, or a file's), if any;
    `frozen` the paths of the generated module's frozen submodules and `unfreeze` the
    unfreezing steps, (epoch, the paths that train from its start)."""
    return TrainingSettings(
        epochs=config.epochs,
        batch_size=config.batch_size,
        lr=config.optimizer.lr,
        seed=config.seed,
        device=config.device,
        threads=config.threads,
        optimizer=OPTIMIZER_CLASSES[config.optimizer.name],
        optimizer_options=optimizer_options(config.optimizer),
        schedule=schedule_kind(config.schedule),
        clip_norm=config.clip_norm,
        clip_value=config.clip_value,
        mixed_precision=config.mixed_precision,
        monitor=config.monitor,
        min_delta=config.min_delta,
        patience=config.patience,
        restore_best=config.restore_best,
        init_weights=init_weights,
        pretrained=(
            weights_source(config.start_weights)
            if config.start_weights is not None and init_weights is None
            else None
        ),
        frozen=frozen,
        unfreeze=unfreeze,
        backbone_lr_factor=config.backbone_lr_factor,
    )
