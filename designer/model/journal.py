"""A journal of a document's changes, recorded while an edit runs, to undo and redo it exactly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from designer.model.graph import Edge, GraphDocument, Node
from designer.model.library import BlockDefinition

Step = Callable[[GraphDocument], None]
RECORD_FIRST = 1000  # psygnal calls higher priorities first


def snapshot(node: Node) -> Node:
    return replace(node, params=dict(node.params))


@dataclass
class Journal:
    """The changes of one edit, in order, each with its inverse."""

    changes: list[tuple[Step, Step]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def undo(self, doc: GraphDocument) -> None:
        for undo, _ in reversed(self.changes):
            undo(doc)

    def redo(self, doc: GraphDocument) -> None:
        for _, redo in self.changes:
            redo(doc)

    def extend(self, other: Journal) -> None:
        self.changes.extend(other.changes)


@contextmanager
def recording(doc: GraphDocument) -> Iterator[Journal]:
    """Record every change made to `doc`, and to its block library, inside the `with` block."""
    journal = Journal()
    add = journal.changes.append

    def node_added(node: Node) -> None:
        kept = snapshot(node)
        add((lambda d: d.remove_node(kept.id), lambda d: d.insert_node(snapshot(kept))))

    def node_removed(node: Node) -> None:
        kept = snapshot(node)
        add((lambda d: d.insert_node(snapshot(kept)), lambda d: d.remove_node(kept.id)))

    def edge_added(edge: Edge) -> None:
        add((lambda d: d.disconnect(edge.id), lambda d: d.insert_edge(edge)))

    def edge_removed(edge: Edge) -> None:
        add((lambda d: d.insert_edge(edge), lambda d: d.disconnect(edge.id)))

    def param_changed(node: Node, name: str, old: Any) -> None:
        node_id, new = node.id, node.params[name]
        add((lambda d: d.set_param(node_id, name, old), lambda d: d.set_param(node_id, name, new)))

    def node_renamed(node: Node, old: str) -> None:
        node_id, new = node.id, node.name
        add((lambda d: d.rename(node_id, old), lambda d: d.rename(node_id, new)))

    def node_moved(node: Node, old: tuple[float, float]) -> None:
        node_id, new = node.id, node.position
        add((lambda d: d.move(node_id, old), lambda d: d.move(node_id, new)))

    def flow_changed(old: str) -> None:
        new = doc.flow
        add((lambda d: d.set_flow(old), lambda d: d.set_flow(new)))

    def block_added(definition: BlockDefinition) -> None:
        add((lambda d: d.blocks.remove(definition.name), lambda d: d.blocks.add(definition)))

    def block_removed(definition: BlockDefinition) -> None:
        add((lambda d: d.blocks.add(definition), lambda d: d.blocks.remove(definition.name)))

    def block_replaced(definition: BlockDefinition, old: BlockDefinition) -> None:
        add((lambda d: d.blocks.replace(old), lambda d: d.blocks.replace(definition)))

    handlers = {
        doc.events.node_added: node_added,
        doc.events.node_removed: node_removed,
        doc.events.edge_added: edge_added,
        doc.events.edge_removed: edge_removed,
        doc.events.param_changed: param_changed,
        doc.events.node_renamed: node_renamed,
        doc.events.node_moved: node_moved,
        doc.events.flow_changed: flow_changed,
        doc.blocks.events.block_added: block_added,
        doc.blocks.events.block_removed: block_removed,
        doc.blocks.events.block_replaced: block_replaced,
    }
    for signal, handler in handlers.items():
        # First of all listeners: a listener that fails cannot keep a change off the journal.
        signal.connect(handler, priority=RECORD_FIRST)
    try:
        yield journal
    finally:
        for signal, handler in handlers.items():
            signal.disconnect(handler)
