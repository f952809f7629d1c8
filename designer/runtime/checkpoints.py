"""Checkpoints written whole or not at all, and read back without running any code:
their weights checked (tensors by name, finite, fitting the network) before use."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch
from torch import nn

from designer.runtime.errors import SetupError
from designer.runtime.files import write_bytes_atomically

NAMED = 5  # entries a message names before "and N more"


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """torch.save to a temporary file beside `path`, then rename: a crash leaves the old
    file. torch.load(path, weights_only=True) reads it."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_bytes_atomically(path, buffer.getbuffer())


def read_checkpoint(path: str | Path) -> Any:
    """What torch.save wrote to `path`, read with weights_only (no code in it can
    run); SetupError naming the file when it is damaged or holds other objects."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # any damage, a pickled object included: say which file
        text = str(error).strip()
        first = text.splitlines()[0][:200] if text else type(error).__name__
        raise SetupError(
            f"{path} is damaged or not a NetDesigner checkpoint ({first}); only "
            "tensors are read from it, never objects that could run code"
        ) from None


def load_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """The model weights of a NetDesigner checkpoint, checked (see check_state_dict);
    SetupError naming the file when they cannot be had."""
    state = read_checkpoint(path)
    if not isinstance(state, dict) or "model" not in state:
        raise SetupError(f"{path} is not a NetDesigner checkpoint (no model weights)")
    return check_state_dict(state["model"], f"{path}'s model")


def named(entries: list[str]) -> str:
    shown = ", ".join(entries[:NAMED])
    more = len(entries) - NAMED
    return f"{shown} and {more} more" if more > 0 else shown


def check_state_dict(state: Any, source: str) -> dict[str, torch.Tensor]:
    """`state` when it is a state dict: tensors by name, whose floating-point values
    are all finite; SetupError naming `source` and the first entries that are not."""
    if not isinstance(state, dict):
        kind = type(state).__name__
        raise SetupError(f"{source} is not a set of tensors by name (it is a {kind})")
    wrong = [
        f"{name!r} ({type(value).__name__})"
        for name, value in state.items()
        if not isinstance(name, str) or not isinstance(value, torch.Tensor)
    ]
    if wrong:
        raise SetupError(f"{source} holds entries that are not tensors: {named(wrong)}")
    not_finite = [
        name
        for name, tensor in state.items()
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all())
    ]
    if not_finite:
        raise SetupError(
            f"{source} holds values that are not finite (NaN or infinite) in "
            f"{named(not_finite)}"
        )
    return state


def shape_words(tensor: torch.Tensor) -> str:
    return "x".join(str(size) for size in tensor.shape) or "scalar"


def load_into(network: nn.Module, state: dict[str, torch.Tensor], source: str) -> None:
    """Load checked weights into `network` strictly; SetupError (at `source`) naming
    the tensors missing, unexpected or of another shape when they do not fit."""
    expected = network.state_dict()
    missing = [name for name in expected if name not in state]
    unexpected = [name for name in state if name not in expected]
    reshaped = [
        f"{name} ({shape_words(state[name])} in the file, {shape_words(tensor)} in "
        "the network)"
        for name, tensor in expected.items()
        if name in state and state[name].shape != tensor.shape
    ]
    problems = [
        f"{what} {named(names)}"
        for what, names in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("other shapes:", reshaped),
        )
        if names
    ]
    if problems:
        message = f"the weights do not fit this network: {'; '.join(problems)}"
        raise SetupError(message, source)
    network.load_state_dict(state, strict=True)
