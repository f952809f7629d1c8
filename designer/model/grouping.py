"""Group selected nodes into a new block (one instance in their place) and ungroup an instance."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import replace

from designer.model.carried_params import carry_into_group, carry_out_of_ungroup, outer_params
from designer.model.graph import Edge, GraphDocument, GraphError, Node
from designer.model.library import BlockDefinition
from nodes import ParamError, Role
from nodes.block import BLOCK_KIND, BLOCK_PARAM, REPEAT_PARAM

Source = tuple[str, str]
REPEAT_OFFSET = 300.0


def crossing(doc: GraphDocument, chosen: set[str]) -> tuple[list[Edge], list[Edge]]:
    """The wires that enter the selection and those that leave it, in document order."""
    edges = doc.edges()
    entering = [edge for edge in edges if edge.target in chosen and edge.source not in chosen]
    leaving = [edge for edge in edges if edge.source in chosen and edge.target not in chosen]
    return entering, leaving


def group(
    doc: GraphDocument,
    node_ids: list[str],
    name: str,
    description: str = "",
    shapes: Mapping[str, tuple[tuple[int, ...], str]] | None = None,
    instance_name: str | None = None,
) -> Node:
    """Make the chosen nodes a new block named `name` and put one instance in their place.

    Each distinct source of a wire entering the selection becomes an input port (an inner Input
    named "x", or "x1", "x2", ...), the one source of the wires leaving it the output "out".
    `shapes` gives the inner Inputs' shape and dtype by outer source node id (what analysis
    knows of them), so that the block can be analysed on its own. Wires keep their ids and
    places, so concatenations keep their order. The instance is named `instance_name`, or
    after the block.
    """
    chosen = set(node_ids)
    check_selection(doc, chosen, name)
    owner, before = outer_params(doc)
    entering, leaving = crossing(doc, chosen)
    sources_in = list(dict.fromkeys((edge.source, edge.source_port) for edge in entering))
    sources_out = list(dict.fromkeys((edge.source, edge.source_port) for edge in leaving))
    if not sources_in:
        raise GraphError("a block needs a wire coming into the selection")
    if len(sources_out) != 1:
        raise GraphError("a block gives out one tensor: exactly one layer's output may leave it")
    ports = ["x"] if len(sources_in) == 1 else [f"x{n}" for n in range(1, len(sources_in) + 1)]
    port_of = dict(zip(sources_in, ports, strict=True))
    inner = GraphDocument(doc.blocks)
    fresh = free_ids(chosen, len(ports) + 1)
    inputs = {}
    for (source, _), port, node_id in zip(sources_in, ports, fresh, strict=False):
        shape, dtype = (shapes or {}).get(source, ((1, 28, 28), "float"))
        params = {"shape": shape, "dtype": dtype}
        inputs[port] = inner.add_node("input", port, params, doc.node(source).position, node_id)
    for node in doc.nodes():
        if node.id in chosen:
            inner.insert_node(replace(node, params=dict(node.params), order=0))
    for edge in doc.edges():
        if edge.source in chosen and edge.target in chosen:
            inner.insert_edge(edge)
        elif edge in entering:
            source = inputs[port_of[(edge.source, edge.source_port)]].id
            inner.insert_edge(replace(edge, source=source, source_port="out"))
    (last, last_port), target = sources_out[0], doc.node(leaving[0].target)
    output = inner.add_node("output", "out", {}, target.position, fresh[-1])
    inner.connect(last, last_port, output.id, "in")
    doc.blocks.add(BlockDefinition(name, inner, (), description))
    instance_name = instance_name or unique(doc, snake(name))
    instance = replace_with_instance(doc, chosen, name, instance_name, entering, leaving, port_of)
    carry_into_group(doc, owner, before, chosen, name, instance.id)
    return instance


def replace_with_instance(
    doc: GraphDocument,
    chosen: set[str],
    name: str,
    instance_name: str,
    entering: list[Edge],
    leaving: list[Edge],
    port_of: dict[Source, str],
) -> Node:
    positions = [doc.node(node_id).position for node_id in chosen]
    centre = tuple(sum(axis) / len(positions) for axis in zip(*positions, strict=True))
    order = min(doc.node(node_id).order for node_id in chosen)
    for node_id in [node.id for node in doc.nodes() if node.id in chosen]:
        doc.remove_node(node_id)
    params = {**doc.spec_of(BLOCK_KIND, {BLOCK_PARAM: name}).default_params()}
    node_id = free_ids({node.id for node in doc.nodes()}, 1)[0]
    instance = Node(node_id, BLOCK_KIND, instance_name, params, centre, order)
    doc.insert_node(instance)
    wired: set[Source] = set()
    for edge in entering:
        source = (edge.source, edge.source_port)
        if source not in wired:
            wired.add(source)
            doc.insert_edge(replace(edge, target=instance.id, target_port=port_of[source]))
    for edge in leaving:
        doc.insert_edge(replace(edge, source=instance.id, source_port="out"))
    return instance


def ungroup(doc: GraphDocument, instance_id: str) -> list[str]:
    """Put the instance's layers in its place, its params applied, `repeat` copies chained;
    returns the new node ids. The definition stays in the library."""
    instance = doc.node(instance_id)
    if instance.kind != BLOCK_KIND:
        raise GraphError(f"{instance.spec.name} {instance.name!r} is not a block instance")
    spec = instance.spec
    values = spec.with_defaults(instance.params)
    definition = doc.blocks.get(spec.name)
    check_ungroupable(doc, instance, definition)
    owner, before = outer_params(doc)
    inner = definition.configured(values)
    output_port = definition.ports("output")[0]
    feeders: dict[str, list[Source]] = {port.name: [] for port in definition.ports("input")}
    for edge in doc.in_edges(instance_id):
        feeders[edge.target_port].append((edge.source, edge.source_port))
    leaving = doc.out_edges(instance_id)
    doc.remove_node(instance_id)
    added: list[str] = []
    copies: list[dict[str, str]] = []
    repeat = values[REPEAT_PARAM]
    for copy in range(repeat):
        suffix = f"_{copy + 1}" if repeat > 1 else ""
        offset = (instance.position[0] + copy * REPEAT_OFFSET, instance.position[1])
        new, last = place_copy(doc, inner, instance.name + suffix, offset, feeders, output_port.id)
        added += new.values()
        copies.append(new)
        feeders = {port: [last] for port in feeders}
    for edge in leaving:  # in its old place among the target's wires; its id may be taken
        wire_id = edge.id if not doc.has_edge(edge.id) else free_wire_id(doc)
        doc.insert_edge(replace(edge, id=wire_id, source=last[0], source_port=last[1]))
    carry_out_of_ungroup(doc, owner, before, instance_id, definition, copies)
    return added


def check_ungroupable(doc: GraphDocument, instance: Node, definition: BlockDefinition) -> None:
    """The layers can take the instance's place only when the block is whole: one Output fed
    by one wire, some layers, and every wire of the instance on a port the block has."""
    label = f"ungroup {instance.name!r}: the block {definition.name}"
    outputs = definition.ports("output")
    if len(outputs) != 1 or len(definition.graph.in_edges(outputs[0].id)) != 1:
        raise GraphError(f"cannot {label} needs one Output with one wire into it")
    if all(node.spec.role in (Role.INPUT, Role.OUTPUT) for node in definition.graph.nodes()):
        raise GraphError(f"cannot {label} has no layers")
    values = instance.spec.with_defaults(instance.params)
    for spec in instance.spec.params:
        try:
            spec.coerce(values[spec.name])
        except ParamError as error:
            raise GraphError(f"cannot ungroup {instance.name!r}: {spec.name} {error}") from None
    stale_in, stale_out = doc.stale_ports(instance.id)
    if stale_in or stale_out:
        ports = ", ".join(repr(port) for port in stale_in + stale_out)
        raise GraphError(f"cannot {label} no longer has the port {ports} wired here")


def free_wire_id(doc: GraphDocument) -> str:
    taken = {edge.id for edge in doc.edges()}
    return next(f"e{number}" for number in itertools.count(1) if f"e{number}" not in taken)


def place_copy(
    doc: GraphDocument,
    inner: GraphDocument,
    prefix: str,
    centre: tuple[float, float],
    feeders: dict[str, list[Source]],
    output_id: str,
) -> tuple[dict[str, str], Source]:
    """Add one copy of the inner graph's layers, fed by `feeders` by port name; returns the
    new ids by inner id and the source that the Output node took."""
    layers = [node for node in inner.nodes() if node.spec.role not in (Role.INPUT, Role.OUTPUT)]
    xs, ys = ([node.position[axis] for node in layers] for axis in (0, 1))
    middle = (sum(xs) / len(xs), sum(ys) / len(ys))
    new: dict[str, str] = {}
    for node in layers:
        position = (
            centre[0] + node.position[0] - middle[0],
            centre[1] + node.position[1] - middle[1],
        )
        name = unique(doc, f"{prefix}_{node.name}")
        new[node.id] = doc.add_node(node.kind, name, dict(node.params), position).id
    out: Source = ("", "")
    for edge in inner.edges():
        source = inner.node(edge.source)
        if edge.target == output_id and source.spec.role == Role.INPUT:  # a pass-through
            if not feeders[source.name]:
                raise GraphError(f"nothing is wired into the block's input {source.name!r}")
            out = feeders[source.name][0]
        elif edge.target == output_id:
            out = (new[edge.source], edge.source_port)
        elif source.spec.role == Role.INPUT:
            for feeder, port in feeders[source.name]:
                doc.connect(feeder, port, new[edge.target], edge.target_port)
        else:
            doc.connect(new[edge.source], edge.source_port, new[edge.target], edge.target_port)
    return new, out


def unique(doc: GraphDocument, name: str) -> str:
    taken = {node.name for node in doc.nodes()}
    return name if name not in taken else doc.unique_name(f"{name}_")


def snake(name: str) -> str:
    """ResidualBlock -> residual_block, for the first instance's name."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().replace(" ", "_")


def free_ids(taken: set[str], count: int) -> list[str]:
    found, number = [], 1
    while len(found) < count:
        if f"n{number}" not in taken:
            found.append(f"n{number}")
        number += 1
    return found


def check_selection(doc: GraphDocument, chosen: set[str], name: str) -> None:
    if not chosen:
        raise GraphError("select the layers to group first")
    if not name.strip():
        raise GraphError("a block needs a name")
    if name in doc.blocks:
        raise GraphError(f"there is already a block named {name!r}")
    for node_id in chosen:
        if doc.node(node_id).spec.role in (Role.INPUT, Role.OUTPUT):
            raise GraphError("Input and Output nodes stay outside blocks; leave them out")
