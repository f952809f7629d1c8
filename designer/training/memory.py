"""Before a run: will a training step fit in the memory the device has free?"""

from __future__ import annotations

import torch

from designer.compiler import GraphReport
from designer.compiler.summary import human_bytes
from designer.data import SetupError
from designer.runtime.memory_budget import available_memory

# Weights, their gradients and up to two optimizer moments (Adam) for each parameter.
COPIES_PER_PARAMETER = 4
PARAMETER_BYTES = 4


def available_bytes(device: torch.device) -> int | None:
    """Memory free for the run on `device`, or None where it cannot be told."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    if device.type != "cpu":
        return None
    return available_memory()  # within a container's memory limit


def check_memory(report: GraphReport, batch_size: int, device: torch.device) -> None:
    """Raise a SetupError when the activations of one batch (the estimate the status bar shows)
    and the parameters with their gradients and optimizer state need more than is free."""
    free = available_bytes(device)
    if free is None:
        return
    weights = report.total_params * PARAMETER_BYTES * COPIES_PER_PARAMETER
    activations = report.activation_bytes(batch_size)
    if weights + activations <= free:
        return
    per_sample = report.activation_bytes(1)
    fits = (free - weights) // per_sample if per_sample and free > weights else 0
    advice = (
        f"lower training.batch_size to at most about {fits:,}"
        if fits >= 1
        else "even a batch of one does not fit: make the network or its input smaller"
    )
    raise SetupError(
        f"a training step needs about {human_bytes(weights + activations)} (activations "
        f"{human_bytes(activations)} at batch {batch_size:,}, weights with gradients and "
        f"optimizer state {human_bytes(weights)}), but {device} has {human_bytes(free)} free: "
        f"{advice}",
        "training.batch_size",
    )
