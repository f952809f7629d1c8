"""Checkpoints: model, optimizer, scheduler, RNG states and position in the run, saved
atomically and loaded with weights_only=True (a checkpoint can never run code)."""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch

from designer.data import SetupError
from designer.runtime.checkpoints import save_checkpoint as write_checkpoint

FORMAT = 1
REQUIRED = ("format", "model", "optimizer", "rng", "epoch", "batch", "step")


class CheckpointError(SetupError):
    """A checkpoint that is missing, damaged, or from another network."""


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """The run's state in NetDesigner's checkpoint format, written whole or not at all."""
    write_checkpoint(path, {"format": FORMAT, **state})


def load_checkpoint(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (
        pickle.UnpicklingError,
        RuntimeError,
        EOFError,
        zipfile.BadZipFile,
        OSError,
        ValueError,
    ) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CheckpointError(
            f"{path} is damaged or not a NetDesigner checkpoint ({first[:200]})"
        ) from None
    missing = [key for key in REQUIRED if not isinstance(state, dict) or key not in state]
    if missing:
        raise CheckpointError(f"{path} is not a NetDesigner checkpoint (no {', '.join(missing)})")
    if state["format"] != FORMAT:
        raise CheckpointError(
            f"{path} has checkpoint format {state['format']}; this version reads {FORMAT}"
        )
    return state


def rng_states(epoch_start: torch.Tensor) -> dict[str, Any]:
    """Every random stream a run draws from: torch's global one (dropout) now, and the
    shuffler's as it was when the current epoch began (so the epoch's order can be redrawn)."""
    states = {"torch": torch.get_rng_state(), "shuffle": epoch_start}
    if torch.cuda.is_available():
        states["cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_rng(states: dict[str, Any], shuffle: torch.Generator) -> None:
    torch.set_rng_state(states["torch"])
    shuffle.set_state(states["shuffle"])
    if "cuda" in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states["cuda"])
