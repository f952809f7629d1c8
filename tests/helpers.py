"""Helpers the tests share: where the examples are, and a chain builder."""

from __future__ import annotations

from pathlib import Path

from designer.model import GraphDocument, Node

PROJECTS = Path(__file__).resolve().parent.parent / "projects"
EXAMPLES = sorted(PROJECTS.glob("*.json"))


def chain(doc: GraphDocument, start: Node, layers: list[tuple[str, str, dict]]) -> Node:
    """Add layers one after another from `start`; returns the last."""
    previous = start
    for kind, name, params in layers:
        node = doc.add_node(kind, name, params)
        doc.connect(previous.id, "out", node.id, "in")
        previous = node
    return previous
