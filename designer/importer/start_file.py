"""A weights file for an imported module (--weights FILE.pt or FILE.safetensors): read, checked
against the module's own tensors, and recorded as the project's start weights (the file's path
and SHA-256, and which of the network's tensors each of its tensors becomes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import nn

from designer.importer.errors import ImportProblem
from designer.importer.weights import map_state_dict
from designer.project.regular_file import regular_file_problem
from designer.runtime.errors import SetupError
from designer.runtime.file_weights import file_digest, read_state_dict

if TYPE_CHECKING:
    from designer.importer.importing import ImportResult

LISTED = 10  # tensor names shown per kind of misfit before "and N more"


def read_weights_file(path: Path) -> dict[str, torch.Tensor]:
    """The named tensors in `path`; ImportProblem naming it when it is missing or unreadable."""
    if (problem := regular_file_problem(path)) is not None:
        raise ImportProblem(str(path), problem)
    try:
        return read_state_dict(path)
    except SetupError as error:
        raise ImportProblem("weights", error.message) from None


def check_weights_fit(module: nn.Module, state: dict[str, torch.Tensor], path: Path) -> None:
    """ImportProblem unless `state` holds exactly the module's tensors, each of its shape; the
    message names every tensor missing from the file, every one the module has not, and every
    shape that differs (both shapes)."""
    expected = module.state_dict()
    missing = [name for name in expected if name not in state]
    unexpected = [name for name in state if name not in expected]
    reshaped = [
        f"{name} is {shape(state[name])} in the file, {shape(tensor)} in the module"
        for name, tensor in expected.items()
        if name in state and state[name].shape != tensor.shape
    ]
    problems = [
        f"{what} ({len(names)}): {listed(names)}"
        for what, names in (
            ("missing from the file", missing),
            ("not in the module", unexpected),
            ("other shapes", reshaped),
        )
        if names
    ]
    if problems:
        lines = "".join(f"\n  - {problem}" for problem in problems)
        network = type(module).__name__
        raise ImportProblem(str(path), f"is not a state dict of {network}:{lines}")


def record_start_weights(
    result: ImportResult, path: Path, state: dict[str, torch.Tensor]
) -> dict[str, object]:
    """Record the file as the imported project's training.start_weights: a run starts from it,
    and an exported script reads it the same way (runtime/file_weights.py); returns it."""
    keys = map_state_dict(result, {name: name for name in state})
    recorded = {
        "name": path.name,
        "path": str(path.resolve()),
        "check": file_digest(path),
        "keys": keys,
    }
    result.project.training["start_weights"] = recorded
    return recorded


def shape(tensor: torch.Tensor) -> str:
    return "x".join(str(size) for size in tensor.shape) or "a scalar"


def listed(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return f"{shown} and {len(names) - LISTED} more" if len(names) > LISTED else shown
