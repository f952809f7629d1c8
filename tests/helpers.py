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


def long_chain(length: int = 15) -> GraphDocument:
    """An input, dense layers and an output, `length` nodes wired one after another, all at
    the origin."""
    doc = GraphDocument()
    start = doc.add_node("input", "x", {"shape": [16]})
    layers = [("dense", f"fc{index}", {"units": 16}) for index in range(1, length - 1)]
    chain(doc, start, [*layers, ("output", "y", {})])
    return doc
