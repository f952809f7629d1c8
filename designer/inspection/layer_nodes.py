"""The graph node each profiled layer is: a top-level layer by its node id, a layer inside a
block by the block's attribute name for it, as the code generator names its inner nodes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from designer.compiler.carried import global_names
from designer.compiler.naming import Namespace
from designer.inspection.layer_profile import LayerCost
from designer.model import GraphDocument
from nodes import Role
from nodes.block import BLOCK_KIND, BLOCK_PARAM


def attribute_nodes(doc: GraphDocument, order: Iterable[str]) -> dict[str, str]:
    """A block graph's inner node ids by their attribute name in the block's class; `order`
    is the graph's analysed order (the code generator names the nodes in it)."""
    namespace = Namespace(global_names(doc))
    nodes = {}
    for node_id in order:
        node = doc.node(node_id)
        if node.spec.role != Role.OUTPUT:
            nodes[namespace.name(node_id, node.name, node.spec.kind)] = node_id
    return nodes


def node_times(layers: tuple[LayerCost, ...]) -> dict[str, float]:
    """The network's top-level nodes' step times in seconds (a block's: its inside's)."""
    return {layer.node: layer.time for layer in layers if layer.node is not None}


def inner_node_times(
    layers: tuple[LayerCost, ...],
    network: GraphDocument,
    block: str,
    block_doc: GraphDocument,
    order: Iterable[str],
) -> dict[str, float]:
    """The step times of block `block`'s inner nodes, summed over the network's instances of
    it (one class serves them all)."""
    attributes = attribute_nodes(block_doc, order)
    times: dict[str, float] = defaultdict(float)
    for layer in layers:
        if layer.node is None:
            continue
        node = network.node(layer.node)
        if node.kind != BLOCK_KIND or node.params.get(BLOCK_PARAM) != block:
            continue
        for inner in layer.inner:
            node_id = attributes.get(inner.path.removeprefix(f"{layer.path}."))
            if node_id is not None:
                times[node_id] += inner.time
    return dict(times)
