"""Shape, parameters and MACs of a custom-code node, from its own code run on meta tensors; code
that must read values (which meta tensors do not have) runs on small random CPU tensors."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from designer.compiler.emit import node_code
from designer.compiler.probe import DTYPES, ProbeError, ProbeResult, first_line, freeze
from nodes import LayerSpec, TensorInfo

BATCH = 2  # at batch 1 a result without its batch dim could not be told from one with it
HEADER = "import torch\nfrom torch import nn\n"
PROBE_CLASS = """

class Probe(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = {init}

    def forward(self, {args}):
        y = {call}
        return y
"""


def probe_source(spec: LayerSpec, params: Mapping[str, Any], inputs: tuple[TensorInfo, ...]):
    """The node's code as the generated module has it: its top statements, then a module that
    makes the one call."""
    names = tuple(f"x{index}" for index in range(len(inputs)))
    code = node_code(spec, params, inputs, "self.layer", names, "y")
    call = code.forward[-1].partition(" = ")[2]
    top = "\n\n".join(spec.top_statements(params))
    body = PROBE_CLASS.format(init=code.init or "None", args=", ".join(names), call=call)
    return f"{HEADER}\n{top}\n{body}"


def probe_custom(
    spec: LayerSpec, params: Mapping[str, Any], inputs: tuple[TensorInfo, ...]
) -> ProbeResult:
    """Run the node's code (trusted: the caller checks) on inputs of batch BATCH."""
    key = tuple(sorted((name, freeze(value)) for name, value in params.items()))
    return _probe_custom(spec, key, inputs)


@lru_cache(maxsize=1024)
def _probe_custom(spec: LayerSpec, key: tuple, inputs: tuple[TensorInfo, ...]) -> ProbeResult:
    import torch

    from designer.compiler.build import prepare_imports

    source = probe_source(spec, dict(key), inputs)
    prepare_imports(source)
    try:
        return run(source, inputs, torch.device("meta"))
    except ProbeError:
        return run(source, inputs, torch.device("cpu"))


def run(source: str, inputs: tuple[TensorInfo, ...], device) -> ProbeResult:
    import torch

    from designer.compiler.mac_counter import FlopCounter
    from designer.compiler.without_dynamo import without_dynamo

    generator = torch.Generator().manual_seed(0)
    with warnings.catch_warnings(record=True) as caught, without_dynamo():
        warnings.simplefilter("always")
        try:
            namespace: dict[str, Any] = {"__name__": "netdesigner_custom_probe"}
            exec(compile(source, "<netdesigner custom code>", "exec"), namespace)
            with torch.device(device):
                module = namespace["Probe"]().eval()
            tensors = [sample(info, device, generator) for info in inputs]
            learned = sum(parameter.numel() for parameter in module.parameters())
            with FlopCounter() as counter, torch.no_grad():
                output = module(*tensors)
        except Exception as error:  # custom code can raise anything; all mean "cannot run"
            raise ProbeError(f"{type(error).__name__}: {first_line(error)}") from None
    if not isinstance(output, torch.Tensor):
        raise ProbeError(f"it gives a {type(output).__name__}, not a tensor")
    if output.dim() == 0 or output.shape[0] != BATCH:
        raise ProbeError(
            f"it gives a tensor of shape {tuple(output.shape)} for a batch of {BATCH}, which "
            "does not keep the batch as its first dim"
        )
    if output.dtype not in (torch.float32, torch.int64):
        raise ProbeError(f"it gives {output.dtype} tensors; NetDesigner uses float32 and int64")
    return ProbeResult(
        output=TensorInfo(
            tuple(output.shape[1:]), "long" if output.dtype == torch.int64 else "float"
        ),
        params=learned,
        macs=counter.flops // 2 // BATCH,
        warnings=tuple(dict.fromkeys(first_line(item.message) for item in caught)),
    )


def sample(info: TensorInfo, device, generator):
    """Random real values (zeros for token ids: any vocabulary takes them)."""
    import torch

    shape = (BATCH, *info.shape)
    if info.dtype == "long":
        return torch.zeros(shape, dtype=torch.int64, device=device)
    if device.type == "meta":
        return torch.empty(shape, dtype=getattr(torch, DTYPES[info.dtype]), device=device)
    return torch.randn(shape, generator=generator)
