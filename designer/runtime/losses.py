"""Loss functions of our own, where torch's need their targets or outputs reshaped."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sequence_cross_entropy(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy over the last dim for per-position classes (batch x length x
    classes)."""
    return F.cross_entropy(output.flatten(0, -2), target.flatten())


def sequence_nll(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood at every position of the sequence."""
    return F.nll_loss(output.flatten(0, -2), target.flatten())


def binary_cross_entropy(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """One logit per sample against 0 / 1 class labels."""
    return F.binary_cross_entropy_with_logits(
        output, target.to(output.dtype).view_as(output)
    )
