"""Attention masks built in forward: a causal mask (each position sees itself and the ones
before it) given to a Transformer encoder or encoder layer becomes the catalog layer's
causal param, so the calls that build it make no nodes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import fx, nn

from designer.importer.calls import Call
from designer.importer.errors import Unsupported

# Each module that takes a mask: the mask's and is_causal's (position, keyword) in forward.
MASK_ARGUMENTS = {
    nn.TransformerEncoder: ((1, "mask"), (3, "is_causal")),
    nn.TransformerEncoderLayer: ((1, "src_mask"), (3, "is_causal")),
}
PADDING_MASK = (2, "src_key_padding_mask")


@dataclass(frozen=True)
class Mask:
    """A mask made in forward: its size (positions) and whether it is causal at every batch
    size tracing ran with."""

    size: int
    causal: bool


def argument(node: fx.Node, place: tuple[int, str]) -> Any:
    index, name = place
    return node.args[index] if index < len(node.args) else node.kwargs.get(name)


def mask_arguments(graph: fx.GraphModule) -> set[fx.Node]:
    """The fx values given as the mask of a module that takes one."""
    found = set()
    for node in graph.graph.find_nodes(op="call_module"):
        places = MASK_ARGUMENTS.get(type(graph.get_submodule(node.target)))
        mask = argument(node, places[0]) if places else None
        if isinstance(mask, fx.Node):
            found.add(mask)
    return found


def mask_only(masks: set[fx.Node]) -> set[fx.Node]:
    """The masks and every call made only to build them (the sizes, the ones, the triangle)."""
    found = set(masks)
    waiting = [source for mask in masks for source in mask.all_input_nodes]
    while waiting:
        node = waiting.pop()
        if node in found or node.op == "placeholder" or not set(node.users) <= found:
            continue
        found.add(node)
        waiting.extend(node.all_input_nodes)
    return found


def is_causal(mask: torch.Tensor) -> bool:
    """-inf (or True, for a bool mask) above the diagonal of a square, 0 (False) elsewhere."""
    if mask.dim() != 2 or mask.shape[0] != mask.shape[1]:
        return False
    above = torch.ones(mask.shape, dtype=torch.bool).triu(1)
    if mask.dtype == torch.bool:
        return torch.equal(mask, above)
    wanted = torch.zeros(mask.shape, dtype=mask.dtype).masked_fill(above, float("-inf"))
    return mask.is_floating_point() and torch.equal(mask, wanted)


def recorded_mask(values: list[torch.Tensor]) -> Mask:
    """The mask made at each batch size, as one Mask."""
    size = values[0].shape[0] if values[0].dim() else 0
    return Mask(size, all(is_causal(value) for value in values))


def causal(call: Call, places: tuple[tuple[int, str], tuple[int, str]], length: int) -> bool:
    """Whether an encoder (layer) call is given the causal mask for sequences of `length`;
    Unsupported for any other mask, and for a padding mask."""
    node = call.node
    if argument(node, PADDING_MASK) is not None:
        raise Unsupported("is given src_key_padding_mask; the catalog's layer takes no padding")
    mask = argument(node, places[0])
    if mask is None:
        if argument(node, places[1]):
            raise Unsupported("is given is_causal without a mask; torch needs both")
        return False
    held = call.value_of(mask)
    if not isinstance(held, Mask) or not held.causal:
        raise Unsupported(
            "is given a mask other than the causal one (0 up to the diagonal, -inf above); "
            "the catalog's layer takes only that"
        )
    if held.size != length:
        raise Unsupported(f"is given a causal mask of {held.size} positions for {length}")
    return True
