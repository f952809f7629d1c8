"""Free space on the canvas: the spot nearest a wanted one where a new node covers no other."""

from __future__ import annotations

from itertools import product

from designer.model.graph import GraphDocument
from designer.model.layout import LAYER_GAP

# The room a node takes, with a gap round it: the canvas draws each node 216 x 106 (body,
# ports and badges) from its position, all alike, so two nodes overlap exactly when their
# positions are closer than that on both axes.
NODE_ROOM = (240.0, 120.0)


def free_spot(doc: GraphDocument, wanted: tuple[float, float]) -> tuple[float, float]:
    """The position nearest `wanted` at which a new node keeps NODE_ROOM from every node."""
    width, height = NODE_ROOM
    taken = [node.position for node in doc.nodes()]

    def free(spot: tuple[float, float]) -> bool:
        x, y = spot
        return all(abs(x - left) >= width or abs(y - top) >= height for left, top in taken)

    if free(wanted):
        return wanted
    # The nearest free spot is `wanted` itself or lies on the edge of a taken node's room, in
    # line with `wanted` or at a corner: these candidates hold it.
    xs = {wanted[0], *(left + side * width for left, _ in taken for side in (-1, 1))}
    ys = {wanted[1], *(top + side * height for _, top in taken for side in (-1, 1))}
    spots = sorted(product(xs, ys), key=lambda spot: nearness(spot, wanted))
    return next(spot for spot in spots if free(spot))


def nearness(spot: tuple[float, float], wanted: tuple[float, float]) -> tuple[float, bool, bool]:
    """Nearer first; of spots as near, those below and to the right of `wanted`."""
    dx, dy = spot[0] - wanted[0], spot[1] - wanted[1]
    return dx * dx + dy * dy, dy < 0, dx < 0


def spot_after(doc: GraphDocument, node_id: str) -> tuple[float, float]:
    """Where a node that follows `node_id` goes: one layer on along the way its chain runs
    (down where it runs top to bottom, else right), in the free space nearest there."""
    x, y = doc.node(node_id).position
    dx, dy = chain_direction(doc, node_id)
    return free_spot(doc, (x + dx * LAYER_GAP, y + dy * LAYER_GAP))


def chain_direction(doc: GraphDocument, node_id: str) -> tuple[int, int]:
    """(0, 1) where the wire into the node (or, lacking one, out of it) runs mostly down,
    else (1, 0): the two directions Auto Layout lays chains out in."""
    wires = doc.in_edges(node_id) or doc.out_edges(node_id)
    if not wires:
        return 1, 0
    (ax, ay), (bx, by) = (doc.node(end).position for end in (wires[0].source, wires[0].target))
    return (0, 1) if by - ay > abs(bx - ax) else (1, 0)
