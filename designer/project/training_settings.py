"""The typed training settings of a project, with every default written once (torch-free, so
the window can show them before torch is loaded)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class OptimizerConfig:
    name: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    momentum: float = 0.9
    nesterov: bool = False
    betas: tuple[float, float] = (0.9, 0.999)


@dataclass(frozen=True)
class ScheduleConfig:
    name: str = "none"
    step_size: int = 10
    gamma: float = 0.1
    max_lr: float = 0.0
    factor: float = 0.1
    patience: int = 5
    min_lr: float = 0.0


@dataclass(frozen=True)
class TrainingConfig:
    """Everything a run needs besides the graph and the data; `to_json` goes to the run folder."""

    epochs: int = 10
    batch_size: int = 32
    seed: int = 0
    device: str = "auto"
    threads: int = 0
    workers: int = -1  # processes reading samples where they stream; -1: automatic
    loss: str = "auto"
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    clip_norm: float = 0.0
    clip_value: float = 0.0
    mixed_precision: bool = False
    monitor: str = "val_loss"
    patience: int = 0
    min_delta: float = 0.0
    top_k: int = 5
    restore_best: bool = True
    baseline: bool = True
    init_from: str = ""  # a run whose weights the run starts from; "" for fresh weights
    # Weights the network starts from (name, url or path, check, keys), unless init_from.
    start_weights: dict[str, Any] | None = None
    freeze: tuple[str, ...] = ()  # ids of the nodes (layers, block instances) kept as they start
    # (node id, epoch): at the start of that epoch, the frozen nodes from that node on (in the
    # order forward runs them) train again, at the backbone's rate.
    unfreeze: tuple[tuple[str, int], ...] = ()
    # The rate of the backbone (the frozen layers, once unfrozen), as a fraction of optimizer.lr.
    backbone_lr_factor: float = 1.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["optimizer"]["betas"] = list(self.optimizer.betas)
        return data


DEFAULT = TrainingConfig()  # every setting's default
SCHEDULE = DEFAULT.schedule
