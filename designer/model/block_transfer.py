"""Copy blocks from one library to another: from a user's shared library into a project."""

from __future__ import annotations

from dataclasses import replace

from designer.model.graph import GraphDocument, GraphError
from designer.model.library import BlockDefinition, BlockLibrary


def copy_blocks(source: BlockLibrary, doc: GraphDocument, names: list[str]) -> list[str]:
    """Add the named blocks, and the blocks they use, to `doc`'s library (journaled like any
    edit of it); returns the names added. A block the project already has unchanged is kept; a
    different block of the same name is refused, so no instance changes meaning."""
    wanted: list[str] = []
    for name in names:
        for each in [*sorted(source.uses(name)), name]:
            if each not in wanted:
                wanted.append(each)
    added = []
    for name in in_use_order(source, wanted):
        definition = source.get(name)
        if name in doc.blocks:
            if not same_block(doc.blocks.get(name), definition):
                raise GraphError(f"the project already has a different block named {name!r}")
            continue
        doc.blocks.add(replace(definition, graph=definition.graph.copy(doc.blocks)))
        added.append(name)
    return added


def in_use_order(library: BlockLibrary, names: list[str]) -> list[str]:
    """`names`, each after the blocks it uses."""
    ordered: list[str] = []
    while len(ordered) < len(names):
        for name in names:
            if name not in ordered and library.uses(name) & set(names) <= set(ordered):
                ordered.append(name)
    return ordered


def same_block(one: BlockDefinition, other: BlockDefinition) -> bool:
    """Whether two definitions make the same layers: graph, params and description alike."""

    def layers(graph: GraphDocument) -> tuple:
        nodes = tuple(
            (n.id, n.kind, n.name, tuple(sorted(n.params.items()))) for n in graph.nodes()
        )
        return nodes, tuple(graph.edges())

    return (
        layers(one.graph) == layers(other.graph)
        and one.params == other.params
        and one.description == other.description
    )
