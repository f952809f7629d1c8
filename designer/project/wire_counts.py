"""A file's wires counted before anything slower looks at them: a repeated wire into a port
that takes one, or more wires than a project holds, is refused in one pass with the count."""

from __future__ import annotations

from collections import Counter
from typing import Any

from designer.project.project import ProjectError
from nodes import REGISTRY

MAX_WIRES = 100_000  # per graph: a network of 100,000 layers (the most a file holds) or so


def check_wire_counts(raw: Any, source: str) -> None:
    """ProjectError for the first graph (the project's, then each block's) that holds a wire
    twice into a one-wire port, or more than MAX_WIRES wires. Parts that are not shaped as a
    project's are left alone: the schema check that follows names them."""
    if not isinstance(raw, dict):
        return
    graphs = [("graph", raw.get("graph"))]
    blocks = raw.get("blocks")
    if isinstance(blocks, list):
        graphs += [
            (f"blocks[{index}].graph", block.get("graph"))
            for index, block in enumerate(blocks)
            if isinstance(block, dict)
        ]
    for where, graph in graphs:
        if isinstance(graph, dict) and isinstance(graph.get("edges"), list):
            check_graph_wires(graph, source, where)


def check_graph_wires(graph: dict[str, Any], source: str, where: str) -> None:
    edges = graph["edges"]
    many = ports_taking_many(graph.get("nodes"))
    seen: Counter[tuple] = Counter()
    first: tuple[int, tuple] | None = None
    for index, item in enumerate(edges):
        wire = wire_of(item)
        if wire is None or (wire[2], wire[3]) in many:
            continue
        seen[wire] += 1
        if first is None and seen[wire] == 2:
            first = (index, wire)
    repeated = sum(count - 1 for count in seen.values())
    if first is not None:
        index, (start, start_port, end, end_port) = first
        name = edges[index].get("id", f"edges[{index}]")
        raise ProjectError(
            source,
            f"holds {repeated:,} duplicate wire(s) into ports that take one wire (first: "
            f"{name} {start}.{start_port} -> {end}.{end_port})",
            f"{where}.edges",
        )
    if len(edges) > MAX_WIRES:
        raise ProjectError(
            source, f"holds {len(edges):,} wires; a graph holds at most {MAX_WIRES:,}", where
        )


def wire_of(item: Any) -> tuple[str, str, str, str] | None:
    """(source, source port, target, target port) of a wire record, or None if it is not one."""
    if not isinstance(item, dict):
        return None
    wire = (
        item.get("source"),
        item.get("source_port", "out"),
        item.get("target"),
        item.get("target_port", "in"),
    )
    return wire if all(isinstance(part, str) for part in wire) else None


def ports_taking_many(nodes: Any) -> set[tuple[str, str]]:
    """(node id, port) of every input port that takes any number of wires (Add's, say), where
    the same wire twice is meant (x + x)."""
    found = set()
    for item in nodes if isinstance(nodes, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
            continue
        if item["kind"] in REGISTRY and isinstance(item.get("id"), str):
            spec = REGISTRY.get(item["kind"])
            found |= {(item["id"], port.name) for port in spec.inputs if port.many}
    return found
