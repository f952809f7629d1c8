"""Training: a plain-Python trainer over torch that emits events, with checkpoints and runs."""

from designer.project.training_settings import TrainingConfig
from designer.training.checkpoint import CheckpointError, load_checkpoint
from designer.training.config import ConfigError, parse_training
from designer.training.control import RunControl
from designer.training.events import (
    CheckpointSaved,
    EpochDone,
    Event,
    LayersSampled,
    RunFailed,
    RunFinished,
    RunStarted,
    StepDone,
)
from designer.training.runs import RunFolder, list_runs, new_run, open_run
from designer.training.setup import RunSetup, prepare_run
from designer.training.trainer import Trainer

__all__ = [
    "CheckpointError",
    "CheckpointSaved",
    "ConfigError",
    "EpochDone",
    "Event",
    "LayersSampled",
    "RunControl",
    "RunFailed",
    "RunFinished",
    "RunFolder",
    "RunSetup",
    "RunStarted",
    "StepDone",
    "Trainer",
    "TrainingConfig",
    "list_runs",
    "load_checkpoint",
    "new_run",
    "open_run",
    "parse_training",
    "prepare_run",
]
