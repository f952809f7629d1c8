"""Checks of the wiring alone: inputs and outputs present, ports connected, no cycles."""

from __future__ import annotations

import networkx as nx

from designer.compiler.diagnostics import Diagnostic
from designer.model import GraphDocument, Node
from nodes import Role


def label(node: Node) -> str:
    """How messages name a node: its kind and the name the user gave it."""
    return f"{node.spec.name} {node.name!r}"


def port_diagnostics(doc: GraphDocument, node: Node) -> list[Diagnostic]:
    """Unconnected, over-full or under-full input ports, and unused outputs, of one node."""
    spec, found = node.spec, []
    edges = doc.in_edges(node.id)
    for port in spec.inputs:
        count = sum(1 for edge in edges if edge.target_port == port.name)
        if port.many and count < spec.min_inputs:
            found.append(f"{label(node)} needs at least {spec.min_inputs} inputs but has {count}")
        elif not port.many and count == 0:
            found.append(f"{label(node)} has nothing wired into its input")
        elif not port.many and count > 1:
            found.append(
                f"{label(node)} has {count} wires into its one input; remove all but one "
                "or join them with an Add or Concatenate"
            )
    stale_in, stale_out = doc.stale_ports(node.id)
    for ports, side, have in ((stale_in, "into", spec.inputs), (stale_out, "out of", spec.outputs)):
        names = " or ".join(repr(port.name) for port in have) or "none"
        for port in ports:
            found.append(
                f"{label(node)} has a wire {side} {port!r}, a port its block no longer has "
                f"(its ports now: {names}); wire it anew or delete it"
            )
    diagnostics = [Diagnostic(message, node.id) for message in found]
    if spec.outputs and not doc.out_edges(node.id):
        diagnostics.append(
            Diagnostic(f"The output of {label(node)} is not used", node.id, severity="warning")
        )
    return diagnostics


def cycle_diagnostics(doc: GraphDocument) -> tuple[list[Diagnostic], set[str]]:
    """A diagnostic on every node in a cycle, and the nodes whose shapes cannot be known."""
    graph = doc.graph
    diagnostics, blocked = [], set()
    for component in nx.strongly_connected_components(graph):
        first = next(iter(component))
        if len(component) == 1 and not graph.has_edge(first, first):
            continue
        cycle = nx.find_cycle(graph.subgraph(component), source=first)
        loop = loop_text([doc.node(source).name for source, *_ in cycle])
        for node_id in sorted(component):
            message = f"{label(doc.node(node_id))} is in a cycle {loop}; remove one of its wires"
            diagnostics.append(Diagnostic(message, node_id))
        # Every node of a component reaches every other: their descendants are the same.
        blocked |= component | nx.descendants(graph, first)
    return diagnostics, blocked


def loop_text(names: list[str], shown: int = 8) -> str:
    """'a' -> 'b' -> 'a'; a long loop by its first names and its length, so that a message
    on each of its nodes stays short."""
    if len(names) <= shown:
        return " -> ".join(repr(name) for name in [*names, names[0]])
    start = " -> ".join(repr(name) for name in names[:shown])
    return f"{start} -> ... -> {names[0]!r} (a loop of {len(names):,} layers)"


def graph_diagnostics(doc: GraphDocument) -> list[Diagnostic]:
    """Findings about the whole network rather than one node."""
    roles = {node.spec.role for node in doc.nodes()}
    found = []
    if Role.INPUT not in roles:
        found.append(Diagnostic("The network has no Input node; add one from Input / Output"))
    if Role.OUTPUT not in roles:
        found.append(Diagnostic("The network has no Output node; add one from Input / Output"))
    return found
