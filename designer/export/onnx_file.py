"""ONNX files: torch's exporter with a free batch size, checked by onnx and run by onnxruntime."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import onnx
import onnxruntime
import torch
from torch import nn

from designer.export.compare import ATOL, as_tensors, check_match
from designer.export.errors import ExportError
from designer.export.locate import blame, node_in, reason
from designer.export.network import Network, evaluating
from designer.export.quiet import quiet_onnx_exporter
from designer.export.result import ExportResult
from designer.export.samples import sample_inputs
from designer.runtime.files import write_bytes_atomically

# The exporter sees this many samples; 1 would let it treat the batch size as a constant.
EXPORT_BATCH = 3
CHECK_BATCHES = (1, 3)
MAX_BYTES = 2**31 - 1  # a protobuf message; larger models need ONNX's external data files
STACK_TRACE = "pkg.torch.onnx.stack_trace"


def export_layer(layer: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    with quiet_onnx_exporter():
        torch.onnx.export(layer, args, kwargs=kwargs, dynamo=True, verbose=False)


def convert(network: Network, samples: dict[str, torch.Tensor]) -> onnx.ModelProto:
    """The module as an ONNX model, its batch dimension left free where torch.export can."""
    dims = {name: {0: torch.export.Dim.AUTO} for name in samples}
    try:
        with quiet_onnx_exporter():
            program = torch.onnx.export(
                network.module,
                (),
                kwargs=samples,
                dynamo=True,
                verbose=False,
                output_names=network.output_names,
                dynamic_shapes=dims,
            )
    except Exception as error:
        node_id, cause = blame(network, error, samples, export_layer)
        raise failure(network, node_id, cause) from error
    model = program.model_proto
    restore_input_names(model, list(samples))
    return model


def restore_input_names(model: onnx.ModelProto, names: list[str]) -> None:
    """torch.onnx renames an input that forward also returns (x0 -> x0_orig); give the file's
    inputs forward's argument names again, where no other value has taken them."""
    graph = model.graph
    taken = {value.name for value in [*graph.input, *graph.output, *graph.initializer]}
    taken |= {name for node in graph.node for name in node.output}
    for value, name in zip(graph.input, names, strict=True):
        if value.name == name or name in taken:
            continue
        for node in graph.node:
            node.input[:] = [name if item == value.name else item for item in node.input]
        value.name = name


def failure(
    network: Network, node_id: str | None, error: BaseException, what: str = "exported to ONNX"
) -> ExportError:
    who = "the network" if node_id is None else network.label(node_id)
    return ExportError(f"{who} cannot be {what}: {reason(error)}", node_id=node_id)


def stack_traces(model: onnx.ModelProto, message: str) -> list[str]:
    """The torch stack traces of the ONNX nodes a message names."""
    return [
        prop.value
        for node in model.graph.node
        if node.name and re.search(rf"(?<![\w.]){re.escape(node.name)}(?![\w.])", message)
        for prop in node.metadata_props
        if prop.key == STACK_TRACE
    ]


def runtime_failure(network: Network, model: onnx.ModelProto, error: Exception) -> ExportError:
    """onnxruntime refused the file: blame the node whose ONNX operators its message names."""
    node_id = node_in(stack_traces(model, str(error)), network)
    return failure(network, node_id, error, "run in onnxruntime")


def batch_is_free(model: onnx.ModelProto) -> bool:
    return all(
        value.type.tensor_type.shape.dim[0].dim_param
        for value in model.graph.input
        if value.type.tensor_type.shape.dim
    )


def session(network: Network, model: onnx.ModelProto, data: bytes) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: its warnings are about its own optimizations
    try:
        return onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as error:
        raise runtime_failure(network, model, error) from error


def run(
    network: Network, model: onnx.ModelProto, runner: onnxruntime.InferenceSession, batch: int
) -> float:
    """Max difference between onnxruntime and the module on `batch` fresh samples."""
    samples = sample_inputs(network, batch, seed=batch)
    with torch.no_grad():
        expected = as_tensors(network.module(**samples))
    feeds = {
        value.name: tensor.numpy()
        for value, tensor in zip(runner.get_inputs(), samples.values(), strict=True)
    }
    try:
        actual = [torch.from_numpy(array) for array in runner.run(None, feeds)]
    except Exception as error:
        raise runtime_failure(network, model, error) from error
    return check_match(expected, actual, "onnxruntime", f"at batch size {batch}")


def export_onnx(network: Network, path: str | Path) -> ExportResult:
    """Write the network as ONNX, atomically, after onnx's checker passes and onnxruntime's
    outputs match the module's (eval mode) at batch sizes 1 and 3."""
    path = Path(path)
    samples = sample_inputs(network, EXPORT_BATCH)
    with evaluating(network.module):
        model = convert(network, samples)
        if model.ByteSize() > MAX_BYTES:
            raise ExportError("the network is larger than 2 GB, too large for one ONNX file")
        try:
            onnx.checker.check_model(model)
        except onnx.checker.ValidationError as error:
            raise ExportError(f"the exported ONNX model is not valid: {reason(error)}") from error
        data = model.SerializeToString()
        free = batch_is_free(model)
        runner = session(network, model, data)
        batches = CHECK_BATCHES if free else (EXPORT_BATCH,)
        difference = max(run(network, model, runner, batch) for batch in batches)
    write_bytes_atomically(path, data)
    opset = next(entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx"))
    notes = () if free else (f"the batch size is fixed at {EXPORT_BATCH} in this file",)
    return ExportResult(path, f"torch.onnx, opset {opset}", "onnxruntime", difference, ATOL, notes)
