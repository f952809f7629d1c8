"""Checkpoints written whole or not at all, and read back without running any code."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch

from designer.runtime.files import write_bytes_atomically


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """torch.save to a temporary file beside `path`, then rename: a crash leaves the old
    file. torch.load(path, weights_only=True) reads it."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    write_bytes_atomically(path, buffer.getbuffer())


def load_weights(path: str | Path) -> dict[str, torch.Tensor]:
    """The model weights of a NetDesigner checkpoint. weights_only: the file's tensors
    are read, no code in it can run."""
    return torch.load(path, map_location="cpu", weights_only=True)["model"]
