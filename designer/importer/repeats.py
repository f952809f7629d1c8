"""Which submodules may become block instances: those of a class of the user's own that is used
two or more times, the outermost such ones."""

from __future__ import annotations

from collections import Counter

from torch import nn

from designer.importer.layers import module_mapper


def is_custom(module: nn.Module) -> bool:
    """A module class of the user's own (not torch's, and not one mapped to a catalog layer)."""
    return type(module).__module__.partition(".")[0] != "torch" and module_mapper(module) is None


def inside(path: str, outer: str) -> bool:
    return path.startswith(f"{outer}.")


def repeated_instances(root: nn.Module, rejected: set[str]) -> frozenset[str]:
    """The paths of the submodules of custom classes that have two or more instances not inside
    another such instance; the `rejected` paths (which could not be blocks) are traced through,
    so the repeated modules inside them count."""
    custom = {
        path: type(module)
        for path, module in root.named_modules()
        if path and path not in rejected and is_custom(module)
    }
    classes = {cls for cls, count in Counter(custom.values()).items() if count >= 2}
    while True:
        candidates = [path for path, cls in custom.items() if cls in classes]
        outermost = [
            path for path in candidates if not any(inside(path, other) for other in candidates)
        ]
        counts = Counter(custom[path] for path in outermost)
        once = {cls for cls in classes if counts[cls] == 1}  # the others are inside blocks
        if not once:
            return frozenset(outermost)
        classes -= once
