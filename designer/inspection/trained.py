"""A run's trained network, ready to look into: the run's own settings and data, the network
it trained (built from the same generated source) and its best weights, else its last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torch import nn

from designer.data import SetupError
from designer.export.run_weights import RunWeights, run_weights
from designer.project import Project
from designer.training.runs import STARTS, open_run
from designer.training.setup import RunSetup, prepare_run


@dataclass(frozen=True)
class TrainedNetwork:
    """The run's setup, its network in evaluation mode on the setup's device, and where the
    weights came from."""

    setup: RunSetup
    model: nn.Module
    weights: RunWeights


def trained_network(project: Project, run: str, **overrides: Any) -> TrainedNetwork:
    """The network `run` (its id or folder) trained, with `overrides` of training settings
    (device, threads); SetupError when the run cannot be used or the network has changed
    since."""
    weights = run_weights(project.path, run)
    folder = open_run(project.path, run)
    folder.check()
    saved = folder.config()
    training = {key: value for key, value in saved["training"].items() if key not in STARTS}
    setup = prepare_run(project, training, saved["dataset"], **overrides)
    if setup.code.source != folder.source():
        raise SetupError(
            f"the network changed since run {folder.id} trained; its weights fit the network "
            "it trained (train a new run, or undo the changes)",
            "--run",
        )
    model = setup.network()
    model.load_state_dict(weights.state)
    return TrainedNetwork(setup, model.to(setup.device).eval(), weights)
