"""Each layer's forward pass as a named torch.profiler range, opened and closed by module
hooks, and the bytes of the activations it hands on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn
from torch.utils._pytree import tree_leaves

RANGE = "netdesigner layer: "


def layer_paths(model: nn.Module, top: list[str]) -> list[str]:
    """The paths of the layers profiled: the generated module's attributes in `top`, and the
    layers inside those that are blocks (their own attributes, at any depth)."""
    paths = []
    for path in top:
        paths.append(path)
        module = model.get_submodule(path)
        if not is_leaf_layer(module):
            paths += layer_paths(model, [f"{path}.{name}" for name, _ in module.named_children()])
    return paths


def is_leaf_layer(module: nn.Module) -> bool:
    """A catalog layer (torch's own, or one helper class) rather than a block of layers:
    its children, if any, are parts of one torch layer."""
    return type(module).__module__.startswith("torch.") or not any(module.children())


def output_bytes(output) -> int:
    return sum(
        leaf.numel() * leaf.element_size()
        for leaf in tree_leaves(output)
        if isinstance(leaf, torch.Tensor)
    )


@contextmanager
def layer_ranges(model: nn.Module, paths: list[str], activations: dict[str, int]) -> Iterator[None]:
    """While open, every forward pass of a layer in `paths` is a profiler range named RANGE +
    its path, and `activations` holds the bytes of each layer's latest output."""
    open_ranges: list[torch.autograd.profiler.record_function] = []

    def opener(path: str):
        def enter(module, args) -> None:
            scope = torch.autograd.profiler.record_function(RANGE + path)
            scope.__enter__()
            open_ranges.append(scope)

        return enter

    def closer(path: str):
        def leave(module, args, output) -> None:
            activations[path] = output_bytes(output)
            open_ranges.pop().__exit__(None, None, None)

        return leave

    handles = []
    for path in paths:
        module = model.get_submodule(path)
        handles.append(module.register_forward_pre_hook(opener(path)))
        handles.append(module.register_forward_hook(closer(path)))
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
        while open_ranges:  # a forward pass that failed midway
            open_ranges.pop().__exit__(None, None, None)
