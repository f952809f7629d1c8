"""Apply a diagnostic's suggested fix to the graph: insert a layer, or project a shortcut."""

from __future__ import annotations

from designer.model import Edge, GraphDocument, GraphError, Node
from designer.model.placement import free_spot
from nodes import Fix, FixAction


def apply_fix(doc: GraphDocument, fix: Fix) -> list[str]:
    """Carry out `fix`; returns the ids of the nodes it added."""
    match fix.action:
        case FixAction.INSERT_BEFORE:
            edge = doc.edge(fix.args["edges"][0])
            return [insert_on_edge(doc, edge, fix.args["kind"], {}, fix.args["kind"]).id]
        case FixAction.ADD_PROJECTION:
            added = []
            for projection in fix.args["inputs"]:
                edge = doc.edge(fix.args["edges"][projection["input"]])
                params = {
                    "filters": projection["out_channels"],
                    "kernel_size": 1,
                    "stride": projection["stride"],
                }
                added.append(insert_on_edge(doc, edge, "conv2d", params, "projection").id)
            return added
    raise GraphError(f"unknown fix {fix.action!r}")


def insert_on_edge(doc: GraphDocument, edge: Edge, kind: str, params: dict, base: str) -> Node:
    """Put a new node on a wire, in the free space nearest its middle; the wire into the target
    keeps its place among the port's."""
    source, target = doc.node(edge.source), doc.node(edge.target)
    middle = (
        (source.position[0] + target.position[0]) / 2,
        (source.position[1] + target.position[1]) / 2,
    )
    node = doc.add_node(kind, doc.unique_name(base), params, free_spot(doc, middle))
    doc.disconnect(edge.id)
    doc.connect(edge.source, edge.source_port, node.id, node.spec.inputs[0].name)
    doc.insert_edge(
        Edge(f"{edge.id}_{node.id}", node.id, "out", edge.target, edge.target_port, edge.order)
    )
    return node
