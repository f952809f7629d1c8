"""Starting a run from another run's trained weights (training.init_from: that run's best
checkpoint, else its last) or from published weights or a file (training.start_weights), read
safely (weights_only, so never a pickle that runs code) and checked against the network before
training starts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from designer.runtime.errors import SetupError
from designer.runtime.file_weights import FileWeights
from designer.runtime.pretrained_weights import PretrainedWeights, Progress
from designer.training.checkpoint import CheckpointError, load_checkpoint
from designer.training.config import ConfigError
from designer.training.runs import list_runs, open_run

PLACE = "training.init_from"
PRETRAINED_PLACE = "training.start_weights"
PREFERENCE = ("best", "last")
LISTED = 6  # tensors named in a message before "and N more"
CLEAR = "clear the start weights (Runs tab) or choose another run"


@dataclass(frozen=True)
class StartWeights:
    """The model state a run starts from, read from `path`, and what it is (`source`);
    `complete` unless some tensors (a new head's) keep their fresh values."""

    source: str
    path: Path
    state: dict[str, torch.Tensor]
    complete: bool = True

    def describe(self) -> str:
        return f"{self.source} ({self.path})"


def weights_source(found: dict[str, Any]) -> PretrainedWeights | FileWeights:
    """What a checked training.start_weights names: published weights (by url) or a file."""
    return FileWeights(**found) if "path" in found else PretrainedWeights(**found)


def pretrained_start(
    found: dict[str, Any],
    network: type[nn.Module],
    layers: dict[str, str],
    progress: Progress | None = None,
) -> StartWeights:
    """The weights training.start_weights names (published ones from torch's hub cache,
    downloaded there when missing, telling `progress`, or a file's) for a fresh
    `network`; ConfigError (at training.start_weights) when they cannot be had or do not
    fit, naming the tensors."""
    weights = weights_source(found)
    try:
        published = isinstance(weights, PretrainedWeights)
        state = weights.state(progress) if published else weights.state()
    except SetupError as error:
        raise ConfigError(error.message, PRETRAINED_PLACE) from None
    expected = expected_state(network)
    # The tensors the weights hold must fit; those they leave out (a new head) stay fresh.
    fitting = {key: expected[key] for key in state if key in expected}
    problems = misfits(state, fitting, layers, "the weights")
    if problems:
        raise ConfigError(
            f"{weights.name} no longer fit the network: {'; '.join(problems)}",
            PRETRAINED_PLACE,
        )
    return StartWeights(weights.name, weights.file(), state, len(state) == len(expected))


def start_weights(
    project_path: Path | None, run: str, network: type[nn.Module], layers: dict[str, str]
) -> StartWeights:
    """The weights of `run` (an id among the project's runs, or a run folder) for a fresh
    `network`; `layers` maps the network's attribute names to the graph's layer names. Raises
    ConfigError (at training.init_from) for a missing run or checkpoint, a damaged or unsafe
    file, or tensors that no longer fit the network, naming them."""
    if project_path is None:
        raise ConfigError(f"save the project first: run {run!r} is looked up beside it", PLACE)
    try:
        folder = open_run(project_path, run)
    except CheckpointError:
        known = ", ".join(folder.id for folder in list_runs(project_path)) or "none"
        raise ConfigError(
            f"the run {run!r} to start from is not among this project's runs ({known}); {CLEAR}",
            PLACE,
        ) from None
    for kind in PREFERENCE:
        path = folder.checkpoint(kind)
        if path.is_file():
            try:
                state = load_checkpoint(path)["model"]
            except CheckpointError as error:
                message = f"cannot start from run {folder.id}: {error.message}"
                raise ConfigError(message, PLACE) from None
            problems = misfits(state, expected_state(network), layers)
            if problems:
                raise ConfigError(
                    f"the weights of run {folder.id} no longer fit the network: "
                    f"{'; '.join(problems)}; {CLEAR}",
                    PLACE,
                )
            return StartWeights(f"run {folder.id}'s {kind} weights", path, state)
    raise ConfigError(
        f"run {folder.id} has no checkpoint to start from (no best.pt or last.pt in "
        f"{folder.root / 'checkpoints'}); {CLEAR}",
        PLACE,
    )


def expected_state(network: type[nn.Module]) -> dict[str, torch.Tensor]:
    """The tensors a fresh network holds, built on the meta device: shapes, no memory."""
    with torch.device("meta"):
        return network().state_dict()


def misfits(
    state: dict[str, torch.Tensor],
    expected: dict[str, torch.Tensor],
    layers: dict[str, str],
    origin: str = "the run",
) -> list[str]:
    """What keeps `state` (of `origin`) from loading into a network holding `expected`,
    by layer."""

    def named(tensor: str) -> str:
        attribute = tensor.split(".", 1)[0]
        layer = layers.get(attribute, attribute)
        return f"layer {layer!r} ({tensor})" if layer != tensor else f"{tensor!r}"

    if not isinstance(state, dict) or not all(
        isinstance(value, torch.Tensor) for value in state.values()
    ):
        return ["the checkpoint's model is not a set of tensors"]
    reshaped = [
        f"{named(name)} is {shape(state[name])} in {origin}, {shape(tensor)} now"
        for name, tensor in expected.items()
        if name in state and state[name].shape != tensor.shape
    ]
    missing = [named(name) for name in expected if name not in state]
    unexpected = [named(name) for name in state if name not in expected]
    return [
        f"{what} {listed(names)}"
        for what, names in (
            ("other shapes:", reshaped),
            (f"not in {origin}:", missing),
            ("no longer in the network:", unexpected),
        )
        if names
    ]


def shape(tensor: torch.Tensor) -> str:
    return "x".join(str(size) for size in tensor.shape) or "a scalar"


def listed(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return f"{shown} and {len(names) - LISTED} more" if len(names) > LISTED else shown
