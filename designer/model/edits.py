"""Compound edits the designer offers: wire with replacement, add after a node, splice onto a
wire, delete, copy and paste fragments."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from designer.model.graph import Edge, GraphDocument, GraphError, Node
from designer.model.insertion import insertion_spot
from designer.model.records import edge_record, node_record

FRAGMENT_FORMAT = "netdesigner-fragment"


def wire(doc: GraphDocument, source: str, source_port: str, target: str, target_port: str) -> Edge:
    """Connect two ports; a wire already in a one-wire input port is replaced."""
    spec = doc.node(target).spec
    port = next((p for p in spec.inputs if p.name == target_port), None)
    if port is None:
        raise GraphError(f"{spec.name} has no input {target_port!r}")
    if not port.many:
        for edge in doc.in_edges(target):
            if edge.target_port == target_port:
                doc.disconnect(edge.id)
    return doc.connect(source, source_port, target, target_port)


def add_after(
    doc: GraphDocument, source: str, kind: str, params: dict[str, Any] | None = None
) -> Node:
    """A new `kind` node wired from `source`'s first output, one layer further along the
    graph's flow (to its right, or below it).

    Where that output already feeds other layers, the new node (when it has an output) takes
    those wires over, each keeping its place at its target: it is spliced in after `source`,
    as a layer inserted into a chain is, and the layers after it move on to make room where
    they can (see insertion_spot). A layer without outputs (an Output) is a new branch."""
    port = doc.node(source).spec.outputs[0].name
    spec = doc.spec_of(kind, params or {})
    taken = [e for e in doc.out_edges(source) if e.source_port == port] if spec.outputs else []
    spot, moves = insertion_spot(doc, source, [edge.target for edge in taken])
    for node_id, place in moves.items():
        doc.move(node_id, place)
    node = doc.add_node(kind, params=params, position=spot)
    for edge in taken:
        doc.disconnect(edge.id)
        doc.insert_edge(replace(edge, source=node.id, source_port=node.spec.outputs[0].name))
    wire(doc, source, port, node.id, node.spec.inputs[0].name)
    return node


def splice(
    doc: GraphDocument,
    edge: Edge,
    kind: str,
    params: dict[str, Any] | None = None,
    near: tuple[float, float] | None = None,
    name: str | None = None,
) -> Node:
    """Put a new node on a wire, source -> new -> target: at `near` when that is free, else
    straight after the source (see insertion_spot); the wire into the target keeps its place
    among the port's (the order of a concatenation, say)."""
    spot, moves = insertion_spot(doc, edge.source, [edge.target], near)
    for node_id, place in moves.items():
        doc.move(node_id, place)
    node = doc.add_node(kind, name, params, spot)
    doc.disconnect(edge.id)
    doc.connect(edge.source, edge.source_port, node.id, node.spec.inputs[0].name)
    doc.insert_edge(
        replace(
            edge, id=f"{edge.id}_{node.id}", source=node.id, source_port=node.spec.outputs[0].name
        )
    )
    return node


def delete(doc: GraphDocument, node_ids: list[str], edge_ids: list[str]) -> None:
    """Remove wires, then nodes (with their remaining wires)."""
    for edge_id in edge_ids:
        if doc.has_edge(edge_id):
            doc.disconnect(edge_id)
    for node_id in node_ids:
        if node_id in doc:
            doc.remove_node(node_id)


def fragment(doc: GraphDocument, node_ids: list[str]) -> dict[str, Any]:
    """The chosen nodes and the wires among them as plain data, for the clipboard."""
    chosen = set(node_ids)
    return {
        "format": FRAGMENT_FORMAT,
        "nodes": [node_record(node) for node in doc.nodes() if node.id in chosen],
        "edges": [
            edge_record(edge)
            for edge in doc.edges()
            if edge.source in chosen and edge.target in chosen
        ],
    }


def paste(doc: GraphDocument, data: Any, offset: tuple[float, float] = (30.0, 30.0)) -> list[str]:
    """Add a fragment's nodes (new ids, free names, shifted) and wires; returns the new ids."""
    if not isinstance(data, dict) or data.get("format") != FRAGMENT_FORMAT:
        raise GraphError("the clipboard holds no NetDesigner layers")
    try:
        new_ids: dict[str, str] = {}
        taken = {node.name for node in doc.nodes()}
        for item in data["nodes"]:
            name = str(item["name"])
            if name in taken:
                name = doc.unique_name(f"{name}_")
            taken.add(name)
            if not isinstance(item["params"], dict):
                raise TypeError("a layer's params are not a mapping")
            x, y = (float(value) for value in item["position"])
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError("a position is not a finite number")
            node = doc.add_node(item["kind"], name, item["params"], (x + offset[0], y + offset[1]))
            new_ids[item["id"]] = node.id
        for item in data["edges"]:
            doc.connect(
                new_ids[item["source"]],
                item["source_port"],
                new_ids[item["target"]],
                item["target_port"],
                stale_ok=True,  # as copied: a wire its block has lost a port of stays visible
            )
    except (KeyError, TypeError, ValueError) as error:
        raise GraphError(f"the clipboard's layers are damaged ({error!r})") from None
    return list(new_ids.values())
