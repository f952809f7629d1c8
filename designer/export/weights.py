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
from designer.runtime.files import write_bytes_atomically

SAFETENSORS = (".safetensors",)
TORCH_SAVE = (".pt", ".pth")
LISTED = 5  # names shown in a message before "and N more"


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


def listed(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return f"{shown} and {len(names) - LISTED} more" if len(names) > LISTED else shown


def load_weights(module: nn.Module, state: Mapping[str, torch.Tensor], source: str) -> None:
    """Load a state dict strictly; when it does not fit, ExportError says which tensors are
    missing, unexpected or of another shape, and where the state dict came from."""
    expected = module.state_dict()
    missing = [name for name in expected if name not in state]
    unexpected = [name for name in state if name not in expected]
    reshaped = [
        f"{name} ({shape_text(state[name])} in the file, {shape_text(tensor)} in the network)"
        for name, tensor in expected.items()
        if name in state and state[name].shape != tensor.shape
    ]
    problems = [
        f"{what} {listed(names)}"
        for what, names in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("other shapes:", reshaped),
        )
        if names
    ]
    if problems:
        raise ExportError(f"the weights do not fit this network: {'; '.join(problems)}", source)
    module.load_state_dict(state, strict=True)


def shape_text(tensor: torch.Tensor) -> str:
    return "x".join(str(size) for size in tensor.shape) or "scalar"
