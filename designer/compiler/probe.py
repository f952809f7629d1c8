"""Shape, parameter count and MACs of one layer, from its real torch code run on meta tensors."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from designer.compiler.emit import node_code
from nodes import LayerSpec, TensorInfo

PROBE_TEMPLATE = """\
import torch
from torch import nn

{helpers}

class Probe(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = {init}

    def forward(self, {args}):
{body}
        return y
"""

DTYPES = {"float": "float32", "long": "int64"}


@dataclass(frozen=True)
class ProbeResult:
    """What one layer gives for given inputs: output, learned params, MACs, torch's warnings."""

    output: TensorInfo
    params: int
    macs: int
    warnings: tuple[str, ...] = ()


class ProbeError(Exception):
    """torch refused the layer with these inputs; the message is torch's first line."""


def freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@lru_cache(maxsize=256)
def probe_class(source: str) -> type:
    namespace: dict[str, Any] = {"__name__": "netdesigner_probe"}
    exec(compile(source, "<netdesigner probe>", "exec"), namespace)
    return namespace["Probe"]


def probe(
    spec: LayerSpec, params: Mapping[str, Any], inputs: tuple[TensorInfo, ...]
) -> ProbeResult:
    """Run one layer on meta tensors of batch 1; cached by kind, params and input shapes."""
    if spec.passthrough and spec.module is None:
        return ProbeResult(inputs[0], 0, 0)
    key = tuple(sorted((name, freeze(value)) for name, value in params.items()))
    steps = inputs[0].shape[0] if spec.per_step and inputs and inputs[0].rank == 2 else 1
    if steps == 1:
        return _probe(spec, key, inputs)
    one_step = tuple(TensorInfo((1, *info.shape[1:]), info.dtype) for info in inputs)
    result = _probe(spec, key, one_step)
    shape = result.output.shape
    if result.output.rank == 2:
        shape = (steps, *shape[1:])
    return replace(result, output=TensorInfo(shape, result.output.dtype), macs=result.macs * steps)


@lru_cache(maxsize=65536)
def _probe(
    spec: LayerSpec, key: tuple, inputs: tuple[TensorInfo, ...], measure: bool = False
) -> ProbeResult:
    """Build the layer on meta; run it too unless it is a passthrough and `measure` is off."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    params = dict(key)
    names = tuple(f"x{index}" for index in range(len(inputs)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = node_code(spec, params, inputs, "self.layer", names, "y")
            source = PROBE_TEMPLATE.format(
                helpers="\n\n".join(spec.helpers),
                init=code.init or "None",
                args=", ".join(names),
                body="\n".join(f"        {line}" for line in code.forward),
            )
            with torch.device("meta"):
                module = probe_class(source)().eval()
                tensors = [
                    torch.empty((1, *info.shape), dtype=getattr(torch, DTYPES[info.dtype]))
                    for info in inputs
                ]
            learned = sum(parameter.numel() for parameter in module.parameters())
            if spec.passthrough and not measure:
                return ProbeResult(inputs[0], learned, 0)
            with FlopCounterMode(display=False) as counter:
                output = module(*tensors)
        except Exception as error:  # torch's own checks raise many kinds; all mean "cannot run"
            raise ProbeError(first_line(error)) from None
    if not isinstance(output, torch.Tensor):
        raise ProbeError(f"the layer returned {type(output).__name__}, not a tensor")
    dtype = "long" if output.dtype == torch.int64 else "float"
    return ProbeResult(
        output=TensorInfo(tuple(output.shape[1:]), dtype),
        params=learned,
        macs=counter.get_total_flops() // 2,
        warnings=tuple(dict.fromkeys(first_line(item.message) for item in caught)),
    )


def first_line(error: BaseException | Warning) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
