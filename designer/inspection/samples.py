"""Samples of a part of the data at chosen positions, as the network takes them."""

from __future__ import annotations

import numpy as np
import torch

from designer.runtime.batches import as_input
from designer.runtime.prepare import Part


def samples_at(
    part: Part, positions: np.ndarray, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """The samples of `part` at `positions` on `device` (unaugmented, standardised as the
    network takes them), with their targets."""
    if isinstance(part.x, torch.Tensor):
        x = part.x[torch.from_numpy(positions)]
    else:
        x = part.x.take(positions)
    scale = None if part.scale is None else part.scale.to(device)
    return as_input(x.to(device), scale), part.y[torch.from_numpy(positions)].to(device)


def batch_of(part: Part, size: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of `size` samples from the start of `part`, repeated when it holds fewer."""
    return samples_at(part, np.arange(size) % len(part), device)
