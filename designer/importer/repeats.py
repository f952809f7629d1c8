"""Which submodules may become block instances: those of a class of the user's own that has two
or more instances; inner classes are planned before the classes whose instances hold them."""

from __future__ import annotations

from collections import Counter

from torch import nn

from designer.importer.layers import module_mapper
from designer.importer.mode_dependent import mode_dependent


def is_custom(module: nn.Module) -> bool:
    """A module class of the user's own (not torch's, and not one mapped to a catalog layer or
    kept whole as custom code for its mode)."""
    return (
        type(module).__module__.partition(".")[0] != "torch"
        and module_mapper(module) is None
        and not mode_dependent(module)
    )


def inside(path: str, outer: str) -> bool:
    return path.startswith(f"{outer}.")


def repeated_instances(root: nn.Module) -> dict[str, type[nn.Module]]:
    """Path -> class of the submodules whose custom class has two or more instances, leaving out
    classes with an instance inside another of the same class (recursive structures)."""
    custom = {
        path: type(module) for path, module in root.named_modules() if path and is_custom(module)
    }
    repeated = {cls for cls, count in Counter(custom.values()).items() if count >= 2}
    nested = {
        cls
        for path, cls in custom.items()
        for other, other_cls in custom.items()
        if cls is other_cls and inside(path, other)
    }
    return {path: cls for path, cls in custom.items() if cls in repeated - nested}


def inner_first(candidates: dict[str, type[nn.Module]]) -> list[type[nn.Module]]:
    """The candidate classes, each after every class that has an instance inside one of its
    instances; where two classes hold each other, one goes first anyway (the instances of the
    other inside it are then flattened into it)."""
    holds = {cls: set() for cls in candidates.values()}
    for path, cls in candidates.items():
        for other, other_cls in candidates.items():
            if inside(other, path):
                holds[cls].add(other_cls)
    ordered: list[type[nn.Module]] = []
    while len(ordered) < len(holds):
        ready = [cls for cls in holds if cls not in ordered and holds[cls] <= set(ordered)]
        ordered += ready[:1] if ready else [next(cls for cls in holds if cls not in ordered)]
    return ordered


def outermost(paths: list[str]) -> list[str]:
    """The paths not inside another of them."""
    return [path for path in paths if not any(inside(path, other) for other in paths)]
