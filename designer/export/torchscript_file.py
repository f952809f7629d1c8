"""TorchScript files: torch.jit.script, else a trace on sample inputs; loaded back and compared."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import torch
from torch import nn

from designer.export.compare import ATOL, as_tensors, check_match
from designer.export.errors import ExportError
from designer.export.locate import blame, reason
from designer.export.network import Network, evaluating
from designer.export.quiet import quiet_jit
from designer.export.result import ExportResult
from designer.export.samples import sample_inputs
from designer.runtime.files import write_bytes_atomically

TRACE_BATCH = 3
CHECK_BATCHES = (1, 3)


def script_layer(layer: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    with quiet_jit():
        torch.jit.script(layer)


def trace_layer(layer: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    with quiet_jit([]):
        torch.jit.trace(layer, args, example_kwarg_inputs=kwargs or None)


def who(network: Network, node_id: str | None) -> str:
    return "the network" if node_id is None else network.label(node_id)


def script(network: Network, samples: dict[str, torch.Tensor]) -> tuple[Any, str, list[str]]:
    """The compiled module, the method that made it and notes: torch.jit.script keeps control
    flow; where it cannot compile a layer, a trace records the operations the samples take."""
    try:
        with quiet_jit():
            return torch.jit.script(network.module), "torch.jit.script", []
    except Exception as error:
        node_id, cause = blame(network, error, samples, script_layer)
        notes = [
            f"torch.jit.script cannot compile {who(network, node_id)} ({reason(cause)}); "
            "traced on sample inputs instead"
        ]
    warned: list[str] = []
    try:
        with quiet_jit(warned), torch.no_grad():
            traced = torch.jit.trace(network.module, example_kwarg_inputs=samples)
    except Exception as error:
        node_id, cause = blame(network, error, samples, trace_layer)
        raise ExportError(
            f"{who(network, node_id)} can be neither scripted nor traced: {reason(cause)}",
            node_id=node_id,
        ) from error
    notes += [f"torch.jit.trace warns: {line}" for line in warned]
    return traced, "torch.jit.trace", notes


def export_torchscript(network: Network, path: str | Path) -> ExportResult:
    """Write the network as TorchScript, atomically, after the saved file, loaded back, gives
    the module's outputs (eval mode) at batch sizes 1 and 3."""
    path = Path(path)
    with evaluating(network.module):
        compiled, method, notes = script(network, sample_inputs(network, TRACE_BATCH))
        buffer = io.BytesIO()
        with quiet_jit():
            torch.jit.save(compiled, buffer)
            loaded = torch.jit.load(io.BytesIO(buffer.getvalue()), map_location="cpu")
        difference = 0.0
        for batch in CHECK_BATCHES:
            samples = sample_inputs(network, batch, seed=batch)
            with torch.no_grad():
                expected = as_tensors(network.module(**samples))
                actual = as_tensors(loaded(**samples))
            where = f"at batch size {batch}"
            difference = max(difference, check_match(expected, actual, f"the {method} file", where))
    write_bytes_atomically(path, buffer.getvalue())
    return ExportResult(path, method, "the loaded file", difference, ATOL, tuple(notes))
