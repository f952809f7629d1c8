"""Checkpoints: model, optimizer, scheduler, RNG states and position in the run, saved
atomically and loaded with weights_only=True (a checkpoint can never run code), every entry
checked before use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from designer.data import SetupError
from designer.runtime.checkpoints import check_state_dict, read_checkpoint
from designer.runtime.checkpoints import save_checkpoint as write_checkpoint

FORMAT = 1
REQUIRED = ("format", "model", "optimizer", "rng", "epoch", "batch", "step")


class CheckpointError(SetupError):
    """A checkpoint that is missing, damaged, or from another network."""


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """The run's state in NetDesigner's checkpoint format, written whole or not at all."""
    write_checkpoint(path, {"format": FORMAT, **state})


def is_count(value: Any, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_rng(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(value.get(stream), torch.Tensor) for stream in ("torch", "shuffle")
    )


def is_optimizer(value: Any) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("param_groups"), list):
        return False
    states = value.get("state", {})
    return isinstance(states, dict) and all(
        isinstance(state, dict)
        and all(isinstance(v, torch.Tensor) or is_number(v) for v in state.values())
        for state in states.values()
    )


# Each entry's check and, for a message, what it should be.
ENTRIES = {
    "optimizer": (is_optimizer, "an optimizer's state"),
    "scheduler": (lambda v: v is None or isinstance(v, dict), "a schedule's state"),
    "scaler": (lambda v: v is None or isinstance(v, dict), "a gradient scaler's state"),
    "rng": (is_rng, "random number generator states"),
    "epoch": (lambda v: is_count(v, 1), "a whole number from 1"),
    "batch": (lambda v: is_count(v, 0), "a whole number from 0"),
    "step": (lambda v: is_count(v, 0), "a whole number from 0"),
    "bad_epochs": (lambda v: is_count(v, 0), "a whole number from 0"),
    "best_epoch": (lambda v: v is None or is_count(v, 0), "an epoch"),
    "best": (lambda v: v is None or is_number(v), "a score"),
    "split_digest": (lambda v: v is None or isinstance(v, str), "a text"),
    "totals": (
        lambda v: isinstance(v, list) and len(v) == 4 and all(map(is_number, v)),
        "four running totals",
    ),
}


def load_checkpoint(path: Path) -> dict[str, Any]:
    """The checkpoint at `path`; CheckpointError naming the file and the first entries that
    are missing or wrong (its model's weights: tensors by name, finite)."""
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        state = read_checkpoint(path)
    except SetupError as error:
        raise CheckpointError(error.message) from None
    missing = [key for key in REQUIRED if not isinstance(state, dict) or key not in state]
    if missing:
        raise CheckpointError(f"{path} is not a NetDesigner checkpoint (no {', '.join(missing)})")
    if not (is_count(state["format"], 0) and state["format"] == FORMAT):
        raise CheckpointError(
            f"{path} has checkpoint format {state['format']!r}; this version reads {FORMAT}"
        )
    wrong = [
        f"{key!r} is not {words}"
        for key, (check, words) in ENTRIES.items()
        if key in state and not check(state[key])
    ]
    if wrong:
        raise CheckpointError(f"{path} is damaged: {'; '.join(wrong[:3])}")
    try:
        check_state_dict(state["model"], f"{path}'s model")
    except SetupError as error:
        raise CheckpointError(error.message) from None
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
