"""Counting the FLOPs of the torch ops a layer runs, without loading torch._dynamo."""

from __future__ import annotations

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry


class FlopCounter(TorchDispatchMode):
    """Adds up the FLOPs of the aten ops run under it, by torch's own formulas (those of
    FlopCounterMode, whose counts it gives). FlopCounterMode's dispatch is wrapped to keep
    torch.compile out of it, and that wrapper's first call imports torch._dynamo: about two
    seconds that running one layer on meta tensors does not need."""

    def __init__(self) -> None:
        super().__init__()
        self.flops = 0

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # nothing under it is compiled: no wrapper, so no torch._dynamo import

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        # As FlopCounterMode: an op without a formula counts as the ops it decomposes into.
        if func not in flop_registry and func is not torch.ops.prim.device.default:
            with self:
                result = func.decompose(*args, **kwargs)
            if result is not NotImplemented:
                return result
        out = func(*args, **kwargs)
        formula = flop_registry.get(func._overloadpacket)
        if formula is not None:
            self.flops += formula(*args, **kwargs, out_val=out)
        return out
