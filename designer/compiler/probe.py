"""Shape, parameter count and MACs of one layer, from its real torch code run on meta tensors."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from designer.compiler.emit import node_code
from designer.compiler.probe_key import probe_key
from designer.compiler.shape_cache import cache_file, shape_cache_at
from nodes import LayerSpec, TensorInfo

PROBE_TEMPLATE = """\
import torch
from torch import nn

{top}

class Probe(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = {init}

    def forward(self, {args}):
{body}
        return y
"""

DTYPES = {"float": "float32", "long": "int64"}
PASSING = (ImportError, OSError, MemoryError)  # the machine's trouble: not kept in the cache


@dataclass(frozen=True)
class ProbeResult:
    """What one layer gives for given inputs: output, learned params, MACs, torch's warnings."""

    output: TensorInfo
    params: int
    macs: int
    warnings: tuple[str, ...] = ()


class ProbeError(Exception):
    """torch refused the layer with these inputs; the message is torch's first line. A refusal
    that is not `lasting` came from the machine (a failed import, say), not from the layer."""

    def __init__(self, message: str, lasting: bool = True) -> None:
        super().__init__(message)
        self.lasting = lasting


class ProbeDeferred(Exception):
    """A layer's result is not cached, and probes may not load torch just now."""


TORCH_ALLOWED: ContextVar[bool] = ContextVar("probes_may_use_torch", default=True)


@contextmanager
def cached_results_only() -> Iterator[None]:
    """Within this block a probe that would need torch raises ProbeDeferred instead: the
    window analyses a project at once when every layer was seen before, while torch loads."""
    token = TORCH_ALLOWED.set(False)
    try:
        yield
    finally:
        TORCH_ALLOWED.reset(token)


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


def probe_source(spec: LayerSpec, params: Mapping[str, Any], inputs: tuple[TensorInfo, ...]):
    """A module that holds the layer as `self.layer` and calls it, after the top-level code
    (the helper classes) the layer needs."""
    names = tuple(f"x{index}" for index in range(len(inputs)))
    code = node_code(spec, params, inputs, "self.layer", names, "y")
    return PROBE_TEMPLATE.format(  # the helper classes too: the cache key covers them
        top="\n\n".join(spec.top_statements(params)),
        init=code.init or "None",
        args=", ".join(names),
        body="\n".join(f"        {line}" for line in code.forward),
    )


@lru_cache(maxsize=65536)
def _probe(
    spec: LayerSpec, key: tuple, inputs: tuple[TensorInfo, ...], measure: bool = False
) -> ProbeResult:
    """Build the layer on meta; run it too unless it is a passthrough and `measure` is off.
    Results (and torch's refusals) are kept in the shape cache, which answers without torch
    for a layer seen before, in any process."""
    try:
        source = probe_source(spec, dict(key), inputs)
    except Exception as error:  # a param the constructor cannot take
        raise ProbeError(first_line(error)) from None
    run = measure or not spec.passthrough
    cache_key = probe_key(source, inputs, run)
    cache = shape_cache_at(cache_file())
    known = from_entry(cache.get(cache_key))
    if isinstance(known, ProbeResult):
        return known
    if isinstance(known, str):
        raise ProbeError(known)
    if not TORCH_ALLOWED.get():
        raise ProbeDeferred(spec.kind)
    try:
        result = run_on_meta(source, inputs, run)
    except ProbeError as error:
        if error.lasting:
            cache.put(cache_key, {"error": str(error)})
        raise
    cache.put(cache_key, as_entry(result))
    return result


def run_on_meta(source: str, inputs: tuple[TensorInfo, ...], run: bool) -> ProbeResult:
    """Build the probe module of `source` on meta tensors and, if `run`, call it, counting
    its MACs; without `run` the output is the first input."""
    import torch

    from designer.compiler.mac_counter import FlopCounter
    from designer.compiler.without_dynamo import without_dynamo

    with warnings.catch_warnings(record=True) as caught, without_dynamo():
        warnings.simplefilter("always")
        try:
            with torch.device("meta"):
                module = probe_class(source)().eval()
                tensors = [
                    torch.empty((1, *info.shape), dtype=getattr(torch, DTYPES[info.dtype]))
                    for info in inputs
                ]
            learned = sum(parameter.numel() for parameter in module.parameters())
            if not run:
                return ProbeResult(inputs[0], learned, 0)
            with FlopCounter() as counter:
                output = module(*tensors)
        except Exception as error:  # torch's own checks raise many kinds; all mean "cannot run"
            raise ProbeError(first_line(error), not isinstance(error, PASSING)) from None
    if not isinstance(output, torch.Tensor):
        raise ProbeError(f"the layer returned {type(output).__name__}, not a tensor")
    dtype = "long" if output.dtype == torch.int64 else "float"
    return ProbeResult(
        output=TensorInfo(tuple(output.shape[1:]), dtype),
        params=learned,
        macs=counter.flops // 2,
        warnings=tuple(dict.fromkeys(first_line(item.message) for item in caught)),
    )


def as_entry(result: ProbeResult) -> dict[str, Any]:
    output = result.output
    return {
        "shape": list(output.shape),
        "dtype": output.dtype,
        "params": result.params,
        "macs": result.macs,
        "warnings": list(result.warnings),
    }


def from_entry(entry: Any) -> ProbeResult | str | None:
    """The result a cache entry holds, the message of torch's refusal, or None (no entry, or
    one this code cannot read)."""
    if not isinstance(entry, dict):
        return None
    if isinstance(entry.get("error"), str):
        return entry["error"]
    try:
        output = TensorInfo(tuple(int(size) for size in entry["shape"]), entry["dtype"])
        warned = tuple(str(text) for text in entry["warnings"])
        return ProbeResult(output, int(entry["params"]), int(entry["macs"]), warned)
    except (KeyError, TypeError, ValueError):
        return None


def first_line(error: BaseException | Warning) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
