"""Automatic layered layout: longest-path layers from networkx, ordered to shorten wires."""

from __future__ import annotations

import networkx as nx

from designer.model.graph import GraphDocument

LAYER_GAP = 270.0
NODE_GAP = 110.0


def layered_positions(
    doc: GraphDocument, direction: str = "right"
) -> dict[str, tuple[float, float]]:
    """Positions for every node: layers go left to right ("right") or top to bottom ("down")."""
    graph = nx.DiGraph(doc.graph)
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]
    depth: dict[int, int] = {}
    for component in nx.topological_sort(condensed):
        parents = list(condensed.predecessors(component))
        depth[component] = 1 + max((depth[parent] for parent in parents), default=-1)
    layers: dict[int, list[str]] = {}
    for node in doc.nodes():
        layers.setdefault(depth[members[node.id]], []).append(node.id)
    slot: dict[str, float] = {}
    positions = {}
    for layer in sorted(layers):
        nodes = layers[layer]
        nodes.sort(key=lambda node_id: barycenter(graph, node_id, slot))
        for index, node_id in enumerate(nodes):
            slot[node_id] = index - (len(nodes) - 1) / 2
            along, across = layer * LAYER_GAP, slot[node_id] * NODE_GAP
            positions[node_id] = (along, across) if direction == "right" else (across, along)
    return positions


def barycenter(graph: nx.DiGraph, node_id: str, slot: dict[str, float]) -> float:
    placed = [slot[parent] for parent in graph.predecessors(node_id) if parent in slot]
    return sum(placed) / len(placed) if placed else 0.0


def apply_layout(doc: GraphDocument, direction: str = "right") -> None:
    for node_id, position in layered_positions(doc, direction).items():
        doc.move(node_id, position)
