"""Automatic layered layout: longest-path layers from networkx, ordered to shorten wires, and
wrapped into rows when a long graph flowing right would not fit the room it is shown in."""

from __future__ import annotations

import math

import networkx as nx

from designer.model.graph import GraphDocument

NODE_SIZE = (200.0, 92.0)  # about the size the canvas draws a node
# The distance from one node to the next along the flow and across it, by flow.
PITCH = {"right": (270.0, 110.0), "down": (NODE_SIZE[1] + 60.0, NODE_SIZE[0] + 40.0)}
ROW_GAP = 70.0  # between wrapped rows, where the wires back to the next row's start run

Layer = dict[str, float]  # node id -> slot across the flow (0 is the middle)


def layered_positions(
    doc: GraphDocument, direction: str = "right", room: tuple[float, float] | None = None
) -> dict[str, tuple[float, float]]:
    """Positions for every node: layers go left to right ("right") or top to bottom ("down").
    Flowing right, the layers wrap into as few rows as fit `room` (width, height), or, when no
    number of rows fits, as few as are no wider than it; without room, one row."""
    layers = slotted_layers(doc)
    along, across = PITCH[direction]
    rows = wrapped(layers, room) if direction == "right" and room is not None else [layers]
    positions = {}
    top = 0.0
    for row in rows:
        low, high = slot_span(row)
        for index, layer in enumerate(row):
            for node_id, slot in layer.items():
                x, y = index * along, top + (slot - low) * across
                positions[node_id] = (x, y) if direction == "right" else (y, x)
        top += (high - low) * across + NODE_SIZE[1] + ROW_GAP
    return positions


def slotted_layers(doc: GraphDocument) -> list[Layer]:
    """Each node in the layer of its longest path from an input, at a slot across the flow near
    its inputs' (cycles count as one node)."""
    graph = nx.DiGraph(doc.graph)
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]
    depth: dict[int, int] = {}
    for component in nx.topological_sort(condensed):
        parents = list(condensed.predecessors(component))
        depth[component] = 1 + max((depth[parent] for parent in parents), default=-1)
    grouped: dict[int, list[str]] = {}
    for node in doc.nodes():
        grouped.setdefault(depth[members[node.id]], []).append(node.id)
    slot: dict[str, float] = {}
    layers = []
    for number in sorted(grouped):
        nodes = sorted(grouped[number], key=lambda node_id: barycenter(graph, node_id, slot))
        for index, node_id in enumerate(nodes):
            slot[node_id] = index - (len(nodes) - 1) / 2
        layers.append({node_id: slot[node_id] for node_id in nodes})
    return layers


def barycenter(graph: nx.DiGraph, node_id: str, slot: dict[str, float]) -> float:
    placed = [slot[parent] for parent in graph.predecessors(node_id) if parent in slot]
    return sum(placed) / len(placed) if placed else 0.0


def slot_span(row: list[Layer]) -> tuple[float, float]:
    slots = [slot for layer in row for slot in layer.values()]
    return min(slots, default=0.0), max(slots, default=0.0)


def wrapped(layers: list[Layer], room: tuple[float, float]) -> list[list[Layer]]:
    """The layers cut into rows of equal length: the fewest rows that fit `room`, else the
    fewest as wide as the room (to be read top to bottom), else one layer a row."""
    along, across = PITCH["right"]
    narrow: list[list[Layer]] | None = None
    for count in range(1, len(layers) + 1):
        length = math.ceil(len(layers) / count)
        if math.ceil(len(layers) / length) != count:
            continue  # the same rows as a smaller count
        rows = [layers[start : start + length] for start in range(0, len(layers), length)]
        if (length - 1) * along + NODE_SIZE[0] > room[0]:
            continue
        heights = [(high - low) * across + NODE_SIZE[1] for low, high in map(slot_span, rows)]
        if sum(heights) + ROW_GAP * (len(rows) - 1) <= room[1]:
            return rows
        narrow = narrow or rows
    return narrow or [[layer] for layer in layers]


def one_layer_on(flow: str, position: tuple[float, float]) -> tuple[float, float]:
    """Where the next layer after a node at `position` goes: right of it, or below it."""
    x, y = position
    along = PITCH[flow][0]
    return (x + along, y) if flow == "right" else (x, y + along)


def apply_layout(
    doc: GraphDocument, direction: str = "right", room: tuple[float, float] | None = None
) -> None:
    """Lay the graph out (see layered_positions) and let it flow that way."""
    doc.set_flow(direction)
    for node_id, position in layered_positions(doc, direction, room).items():
        doc.move(node_id, position)
