"""Where a layer put into a chain goes: straight after its source, the layers after it pushed one
step on when they land in free space, so that the chain stays straight."""

from __future__ import annotations

import networkx as nx

from designer.model.graph import GraphDocument
from designer.model.layout import LAYER_GAP
from designer.model.placement import free_spot, is_free

Position = tuple[float, float]


def direction(start: Position, end: Position) -> tuple[int, int]:
    """(0, 1) where `end` lies mostly below `start`, else (1, 0): the two ways Auto Layout
    lays chains out."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    return (0, 1) if dy > abs(dx) else (1, 0)


def chain_direction(doc: GraphDocument, node_id: str) -> tuple[int, int]:
    """The way the chain runs at a node: along its first wire in (or, lacking one, out)."""
    wires = doc.in_edges(node_id) or doc.out_edges(node_id)
    if not wires:
        return 1, 0
    return direction(doc.node(wires[0].source).position, doc.node(wires[0].target).position)


def insertion_spot(
    doc: GraphDocument,
    source: str,
    targets: list[str],
    preferred: Position | None = None,
) -> tuple[Position, dict[str, Position]]:
    """Where a new node wired from `source` (and into `targets`) goes, and the nodes to move
    for it, by id: at `preferred` when that is free; else one layer on from `source`, the way
    its chain runs, when that is free, or can be freed by moving `targets` and every node
    after them one layer on into free space; else in the free space nearest either."""
    everyone = {node.id: node.position for node in doc.nodes()}
    if preferred is not None and is_free(preferred, list(everyone.values())):
        return preferred, {}
    x, y = everyone[source]
    dx, dy = direction((x, y), everyone[targets[0]]) if targets else chain_direction(doc, source)
    after = (x + dx * LAYER_GAP, y + dy * LAYER_GAP)
    if is_free(after, list(everyone.values())):
        return after, {}
    moved = set(targets).union(*(nx.descendants(doc.graph, target) for target in targets))
    if targets and source not in moved:
        moves = {
            node_id: (everyone[node_id][0] + dx * LAYER_GAP, everyone[node_id][1] + dy * LAYER_GAP)
            for node_id in moved
        }
        staying = [spot for node_id, spot in everyone.items() if node_id not in moved]
        if is_free(after, [*staying, *moves.values()]) and all(
            is_free(spot, staying) for spot in moves.values()
        ):
            return after, moves
    return free_spot(doc, preferred or after), {}
