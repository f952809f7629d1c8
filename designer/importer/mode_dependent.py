"""Modules whose forward depends on whether the network trains, which a trace cannot keep."""

from __future__ import annotations

from torch import nn

from designer.importer.layers import module_mapper

REASON = (
    "its forward reads self.training, which a trace would fix at the mode it was traced in; "
    "kept whole, it still acts as the network trains or evaluates"
)


def mode_dependent(module: nn.Module) -> bool:
    """A module with no submodules and no catalog layer whose forward reads `self.training`
    (stochastic depth, drop path): kept whole as custom code rather than traced through."""
    cls = type(module)
    if cls.__module__.partition(".")[0] == "torch" or module_mapper(module) is not None:
        return False
    if next(module.children(), None) is not None:
        return False
    code = getattr(getattr(cls, "forward", None), "__code__", None)
    return code is not None and "training" in code.co_names
