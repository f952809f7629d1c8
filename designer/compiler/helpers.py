"""The catalog's helper classes a graph's code names (StochasticDepth, LayerScale: layers torch
has no module for), each once, in the order the catalog registers them."""

from __future__ import annotations

import ast

from designer.model import GraphDocument
from nodes import REGISTRY
from nodes.block import BLOCK_KIND, BLOCK_PARAM


def used_kinds(doc: GraphDocument) -> set[str]:
    """The kinds of the graph's nodes and of the nodes of every block it uses, deeper too."""
    kinds = {node.kind for node in doc.nodes()}
    library = doc.blocks
    blocks = {node.params[BLOCK_PARAM] for node in doc.nodes() if node.kind == BLOCK_KIND}
    blocks |= {inner for block in blocks for inner in library.uses(block)}
    for block in blocks:
        if block in library:
            kinds |= {node.kind for node in library.get(block).graph.nodes()}
    return kinds


def helper_sources(doc: GraphDocument) -> list[str]:
    """The source of each helper class the graph's code uses."""
    kinds = used_kinds(doc)
    found: dict[str, None] = {}
    for spec in REGISTRY:
        if spec.kind in kinds:
            found.update(dict.fromkeys(spec.helpers))
    return list(found)


def defined_names(sources: list[str]) -> set[str]:
    """The names of the classes the sources define: no other class may take them."""
    return {
        statement.name
        for source in sources
        for statement in ast.parse(source).body
        if isinstance(statement, ast.ClassDef)
    }
