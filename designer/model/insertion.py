"""Where a layer put into a chain goes: straight after its source, the layers after it pushed one
step on when they land in free space, so that the chain stays straight."""

from __future__ import annotations

import networkx as nx

from designer.model.graph import GraphDocument
from designer.model.layout import one_layer_on
from designer.model.placement import free_spot, is_free

Position = tuple[float, float]


def insertion_spot(
    doc: GraphDocument,
    source: str,
    targets: list[str],
    preferred: Position | None = None,
) -> tuple[Position, dict[str, Position]]:
    """Where a new node wired from `source` (and into `targets`) goes, and the nodes to move
    for it, by id: at `preferred` when that is free; else one layer on from `source` along the
    graph's flow, when that is free, or can be freed by moving `targets` and every node
    after them one layer on into free space; else in the free space nearest either."""
    everyone = {node.id: node.position for node in doc.nodes()}
    if preferred is not None and is_free(preferred, list(everyone.values())):
        return preferred, {}
    after = one_layer_on(doc.flow, everyone[source])
    if is_free(after, list(everyone.values())):
        return after, {}
    moved = set(targets).union(*(nx.descendants(doc.graph, target) for target in targets))
    if targets and source not in moved:
        moves = {node_id: one_layer_on(doc.flow, everyone[node_id]) for node_id in moved}
        staying = [spot for node_id, spot in everyone.items() if node_id not in moved]
        if is_free(after, [*staying, *moves.values()]) and all(
            is_free(spot, staying) for spot in moves.values()
        ):
            return after, moves
    return free_spot(doc, preferred or after), {}
