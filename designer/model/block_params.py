"""Change what a block exposes (its params, with defaults) and its description, with checks."""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from designer.model.graph import GraphError
from designer.model.library import BlockLibrary, BlockParam
from nodes import ParamError
from nodes.block import BLOCK_KIND, BLOCK_PARAM, REPEAT_PARAM


def expose_param(
    library: BlockLibrary,
    block: str,
    name: str,
    targets: Sequence[tuple[str, str]],
    default: Any,
) -> BlockParam:
    """Make `name` a param of `block` that sets each (inner node id, param) of `targets`; every
    target must be a param of the same kind, not exposed already."""
    definition = library.get(block)
    graph = definition.graph
    if not name.isidentifier() or keyword.iskeyword(name) or name in (BLOCK_PARAM, REPEAT_PARAM):
        raise GraphError(f"{name!r} cannot name a block param: use a Python identifier")
    if any(param.name == name for param in definition.params):
        raise GraphError(f"the block {block} already has a param named {name!r}")
    if not targets:
        raise GraphError("choose at least one layer whose param the block should set")
    taken = {target: param.name for param in definition.params for target in param.targets}
    specs = []
    for node_id, param_name in targets:
        if node_id not in graph or param_name not in graph.node(node_id).params:
            raise GraphError(f"the block {block} has no layer {node_id!r} with {param_name!r}")
        node = graph.node(node_id)
        if node.kind == BLOCK_KIND and param_name == BLOCK_PARAM:
            raise GraphError(f"which block {node.name!r} is an instance of cannot be a param")
        if (node_id, param_name) in taken:
            owner = taken[(node_id, param_name)]
            raise GraphError(f"{node.name}.{param_name} is set by the block param {owner!r}")
        specs.append(node.spec.param(param_name))
    if len({(spec.kind, getattr(spec, "choices", None)) for spec in specs}) > 1:
        raise GraphError("one block param can only set params of the same kind")
    try:
        value = specs[0].coerce(default)
    except ParamError as error:
        raise GraphError(f"the default of {name!r}: {error}") from None
    param = BlockParam(name, tuple(targets), value)
    library.set_params(block, (*definition.params, param))
    return param


def remove_param(library: BlockLibrary, block: str, name: str) -> None:
    """Stop exposing `name`: the inner layers keep the values they have inside the block."""
    definition = library.get(block)
    kept = tuple(param for param in definition.params if param.name != name)
    if len(kept) == len(definition.params):
        raise GraphError(f"the block {block} has no param named {name!r}")
    library.set_params(block, kept)


def describe_block(library: BlockLibrary, block: str, description: str) -> None:
    definition = library.get(block)
    if definition.description != description:
        library.replace(replace(definition, description=description))
