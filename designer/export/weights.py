"""Weight files: a state dict as safetensors or as torch.save's .pt, written atomically and read
back to check; and loading one into a network, saying which tensors do not fit."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import safetensors.torch
import torch
from torch import nn

from designer.export.compare import max_difference
from designer.export.errors import ExportError
from designer.export.result import ExportResult
from designer.runtime.checkpoints import load_into
from designer.runtime.errors import SetupError
from designer.runtime.files import write_bytes_atomically

SAFETENSORS = (".safetensors",)
TORCH_SAVE = (".pt", ".pth")


def plain_tensors(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """CPU, contiguous, unshared copies: what safetensors stores, and what torch.save should."""
    return {name: tensor.detach().cpu().contiguous().clone() for name, tensor in state.items()}


def weights_bytes(
    suffix: str, tensors: dict[str, torch.Tensor], metadata: dict[str, str]
) -> tuple[bytes, str]:
    if suffix in SAFETENSORS:
        return safetensors.torch.save(tensors, metadata), "safetensors"
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    return buffer.getvalue(), "torch.save"


def read_weights(data: bytes, suffix: str) -> dict[str, torch.Tensor]:
    if suffix in SAFETENSORS:
        return safetensors.torch.load(data)
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def export_weights(
    state: Mapping[str, torch.Tensor],
    path: str | Path,
    project: str = "",
    class_name: str = "",
) -> ExportResult:
    """Write a state dict by the path's suffix: .safetensors (with the project and class named
    in its metadata) or .pt/.pth (a plain dict for torch.load(weights_only=True))."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SAFETENSORS + TORCH_SAVE:
        raise ExportError(
            f"cannot tell the weights format from {path.name!r}: name it .safetensors or .pt"
        )
    tensors = plain_tensors(state)
    metadata = {"format": "pt", "netdesigner.project": project, "netdesigner.class": class_name}
    data, method = weights_bytes(suffix, tensors, metadata)
    back = read_weights(data, suffix)
    names = sorted(tensors)
    if sorted(back) != names or any(back[name].dtype != tensors[name].dtype for name in names):
        raise ExportError(f"{method} did not give back the tensors it was given")
    difference = max_difference([tensors[n] for n in names], [back[n] for n in names])
    if difference != 0:
        raise ExportError(f"{method} gave back tensors that differ by up to {difference:g}")
    write_bytes_atomically(path, data)
    return ExportResult(path, method, "reading it back", difference, 0.0)


def load_weights(module: nn.Module, state: Mapping[str, torch.Tensor], source: str) -> None:
    """Load a state dict strictly; when it does not fit, ExportError says which tensors are
    missing, unexpected or of another shape, and where the state dict came from."""
    try:
        load_into(module, dict(state), source)
    except SetupError as error:
        raise ExportError(error.message, error.place) from None
