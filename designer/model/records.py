"""Nodes and wires as plain JSON data, as project files and the clipboard hold them."""

from __future__ import annotations

from typing import Any

from designer.model.graph import FLOWS, Edge, GraphDocument, Node


def node_record(node: Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "kind": node.kind,
        "name": node.name,
        "params": node.spec.params_to_json(node.params),
        "position": list(node.position),
    }


def edge_record(edge: Edge) -> dict[str, Any]:
    return {
        "id": edge.id,
        "source": edge.source,
        "source_port": edge.source_port,
        "target": edge.target,
        "target_port": edge.target_port,
    }


def graph_record(doc: GraphDocument) -> dict[str, Any]:
    """A graph's nodes and wires, and its flow when it is not the usual (left to right)."""
    flow = {"flow": doc.flow} if doc.flow != FLOWS[0] else {}
    return {
        "nodes": [node_record(node) for node in doc.nodes()],
        "edges": [edge_record(edge) for edge in doc.edges()],
        **flow,
    }
