"""The catalog's helper classes (StochasticDepth, LayerScale) found again in imported code: a
class whose methods run exactly the catalog's code, wherever it was defined (an exported
network's file), is that catalog kind's module."""

from __future__ import annotations

import types
from functools import cache
from typing import Any

from nodes import REGISTRY

# As the generated module imports them: Python compiles `nn.Parameter(...)` otherwise when `nn`
# is a name an import made.
IMPORTS = "import torch\nfrom torch import nn\n\n\n"


@cache
def reference_classes() -> dict[str, tuple[str, type]]:
    """Class name -> (kind, class) for every helper class the catalog writes."""
    found = {}
    for spec in REGISTRY:
        for source in spec.helpers:
            namespace: dict[str, Any] = {"__name__": "netdesigner"}
            exec(compile(IMPORTS, "<imports>", "exec"), namespace)
            before = set(namespace)
            exec(compile(IMPORTS + source, f"<catalog {spec.kind}>", "exec"), namespace)
            for name in set(namespace) - before:
                found[name] = (spec.kind, namespace[name])
    return found


def same_code(first: types.CodeType, second: types.CodeType) -> bool:
    """Equal instructions, constants and names; line numbers and file names aside."""
    if (first.co_code, first.co_names, first.co_varnames) != (
        second.co_code,
        second.co_names,
        second.co_varnames,
    ):
        return False
    if len(first.co_consts) != len(second.co_consts):
        return False
    for mine, theirs in zip(first.co_consts, second.co_consts, strict=True):
        nested = isinstance(mine, types.CodeType) and isinstance(theirs, types.CodeType)
        if not (same_code(mine, theirs) if nested else mine == theirs):
            return False
    return True


def methods(cls: type) -> dict[str, types.CodeType]:
    return {
        name: value.__code__
        for name, value in vars(cls).items()
        if isinstance(value, types.FunctionType)
    }


def helper_kind(cls: type) -> str | None:
    """The catalog kind whose helper class `cls` is a copy of: the same name, the same
    bases and the same code in every method; None for any other class."""
    reference = reference_classes().get(cls.__name__)
    if reference is None:
        return None
    kind, original = reference
    if cls.__bases__ != original.__bases__:
        return None
    mine, theirs = methods(cls), methods(original)
    if mine.keys() != theirs.keys():
        return None
    return kind if all(same_code(mine[name], theirs[name]) for name in mine) else None
