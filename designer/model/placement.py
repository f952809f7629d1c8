"""Free space on the canvas: the spot nearest a wanted one where a new node covers no other."""

from __future__ import annotations

from itertools import product

from designer.model.graph import GraphDocument

# The room a node takes, with a gap round it: the canvas draws each node 216 x 106 (body,
# ports and badges) from its position, all alike, so two nodes overlap exactly when their
# positions are closer than that on both axes.
NODE_ROOM = (240.0, 120.0)


def free_spot(doc: GraphDocument, wanted: tuple[float, float]) -> tuple[float, float]:
    """The position nearest `wanted` at which a new node keeps NODE_ROOM from every node."""
    width, height = NODE_ROOM
    taken = [node.position for node in doc.nodes()]

    def free(spot: tuple[float, float]) -> bool:
        return is_free(spot, taken)

    if free(wanted):
        return wanted
    # The nearest free spot is `wanted` itself or lies on the edge of a taken node's room, in
    # line with `wanted` or at a corner: these candidates hold it.
    xs = {wanted[0], *(left + side * width for left, _ in taken for side in (-1, 1))}
    ys = {wanted[1], *(top + side * height for _, top in taken for side in (-1, 1))}
    spots = sorted(product(xs, ys), key=lambda spot: nearness(spot, wanted))
    return next(spot for spot in spots if free(spot))


def is_free(spot: tuple[float, float], taken: list[tuple[float, float]]) -> bool:
    """Whether a node at `spot` keeps NODE_ROOM from nodes at each of the `taken` positions."""
    width, height = NODE_ROOM
    x, y = spot
    return all(abs(x - left) >= width or abs(y - top) >= height for left, top in taken)


def nearness(spot: tuple[float, float], wanted: tuple[float, float]) -> tuple[float, bool, bool]:
    """Nearer first; of spots as near, those below and to the right of `wanted`."""
    dx, dy = spot[0] - wanted[0], spot[1] - wanted[1]
    return dx * dx + dy * dy, dy < 0, dx < 0
