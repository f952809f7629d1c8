"""Inside a block, grouping or ungrouping layers keeps what the block's params set: the params
follow the layers into the new block, or out of the ungrouped one, instead of being dropped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from designer.model.graph import GraphDocument
from designer.model.library import BlockDefinition, BlockParam


def outer_params(doc: GraphDocument) -> tuple[str | None, tuple[BlockParam, ...]]:
    """The block whose inside `doc` is (None for a network) and its params, as they are before
    an edit removes layers (which drops their targets)."""
    owner = doc.blocks.owner(doc)
    return owner, doc.blocks.get(owner).params if owner is not None else ()


def carry_into_group(
    doc: GraphDocument,
    owner: str | None,
    before: tuple[BlockParam, ...],
    chosen: set[str],
    block: str,
    instance_id: str,
) -> None:
    """The layers `chosen` went into `block`: each outer param that set some of them becomes a
    param of `block` of the same name, and sets that param of the new instance."""
    moved = [(param, [t for t in param.targets if t[0] in chosen]) for param in before]
    inner = tuple(BlockParam(p.name, tuple(targets), p.default) for p, targets in moved if targets)
    if owner is None or not inner:
        return
    doc.blocks.set_params(block, inner)
    for param in inner:
        doc.set_param(instance_id, param.name, param.default)
    outer = []
    for param, targets in moved:
        kept = [target for target in param.targets if target[0] not in chosen]
        if targets:
            kept.append((instance_id, param.name))
        if kept:
            outer.append(replace(param, targets=tuple(kept)))
    doc.blocks.set_params(owner, tuple(outer))


def carry_out_of_ungroup(
    doc: GraphDocument,
    owner: str | None,
    before: tuple[BlockParam, ...],
    instance_id: str,
    definition: BlockDefinition,
    copies: list[Mapping[str, str]],
) -> None:
    """The instance `instance_id` was ungrouped into `copies` (inner id to new id, one mapping
    per repeat): outer params that set its params now set the layers those params set."""
    if owner is None or not any(t[0] == instance_id for p in before for t in p.targets):
        return
    inner = {param.name: param for param in definition.params}
    outer = []
    for param in before:
        targets = []
        for node_id, name in param.targets:
            if node_id != instance_id:
                targets.append((node_id, name))
            elif name in inner:
                for copy in copies:
                    targets += [(copy[t], n) for t, n in inner[name].targets if t in copy]
        if targets:
            outer.append(replace(param, targets=tuple(targets)))
    doc.blocks.set_params(owner, tuple(outer))
