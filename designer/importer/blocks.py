"""Repeated submodules as blocks: instances of one class with the same inner graph share one
definition, the inner params that differ between them exposed as block params."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from designer.importer.instances import Instance
from designer.importer.uses import BlockUse, Copy
from designer.model import GraphDocument
from designer.model.layout import apply_layout
from designer.model.library import BlockDefinition, BlockParam
from nodes import Role
from nodes.block import BLOCK_KIND, BLOCK_PARAM, REPEAT_PARAM


@dataclass
class Plan:
    """The definitions to add, the block use of each submodule path that becomes an instance,
    and the notes on the instances' layers."""

    definitions: list[BlockDefinition] = field(default_factory=list)
    uses: dict[str, BlockUse] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def structure(doc: GraphDocument) -> tuple:
    """What instances sharing a definition must agree on: node ids and kinds, the inputs'
    dtypes, which params each layer has, the blocks inside and their repeat counts, and the
    wires; not the params' values."""
    nodes = []
    for node in doc.nodes():
        if node.kind == "input":
            nodes.append((node.id, node.kind, node.params["dtype"]))
        elif node.kind == BLOCK_KIND:
            fixed = (node.params[BLOCK_PARAM], node.params[REPEAT_PARAM])
            nodes.append((node.id, node.kind, tuple(node.params), fixed))
        else:
            nodes.append((node.id, node.kind, tuple(node.params)))
    wires = tuple((e.source, e.source_port, e.target, e.target_port) for e in doc.edges())
    return tuple(nodes), wires


def plan_blocks(instances: Iterable[Instance], taken: set[str]) -> Plan:
    """One definition per class and inner structure that two or more instances share, named
    after the class (ResidualBlock, then ResidualBlock2 for a second structure); an instance
    whose structure no other instance of its class has stays flat. `taken`: the names in use."""
    groups: dict[tuple, list[Instance]] = {}
    for instance in instances:
        groups.setdefault((type(instance.module), structure(instance.doc)), []).append(instance)
    plan, taken = Plan(), set(taken)
    for (cls, _), members in groups.items():
        if len(members) < 2:
            continue
        name = free_name(cls.__name__, taken)
        taken.add(name)
        params = exposed_params(members)
        graph = members[0].doc
        apply_layout(graph)
        description = f"Imported from the class {cls.__qualname__} ({len(members)} instances)"
        definition = BlockDefinition(name, graph, params, description)
        plan.definitions.append(definition)
        ports = tuple(node.name for node in definition.ports("input"))
        plan.notes += [note for member in members for note in member.notes]
        for member in members:
            values = {param.name: value_of(member.doc, param) for param in params}
            plan.uses[member.path] = BlockUse(
                name, values, ports, Copy(member.path, member.sources, member.blocks)
            )
    return plan


def value_of(doc: GraphDocument, param: BlockParam) -> Any:
    node_id, name = param.targets[0]
    return doc.node(node_id).params[name]


def exposed_params(members: list[Instance]) -> tuple[BlockParam, ...]:
    """Each inner param whose value differs between the instances; params that differ in
    lockstep (the same name and the same value in every instance) are one block param. Named
    after the inner param, or after its layer and the param where two would share a name; the
    first instance's value is the default."""
    first = members[0].doc
    changing: list[tuple[str, list[Any], list[tuple[str, str]]]] = []
    for node in first.nodes():
        if node.spec.role in (Role.INPUT, Role.OUTPUT):
            continue
        for name in node.params:
            if name in (BLOCK_PARAM, REPEAT_PARAM):
                continue
            values = [member.doc.node(node.id).params[name] for member in members]
            if all(value == values[0] for value in values):
                continue
            same = next((each for each in changing if each[:2] == (name, values)), None)
            if same is None:
                changing.append((name, values, [(node.id, name)]))
            else:
                same[2].append((node.id, name))
    params, names = [], {BLOCK_PARAM, REPEAT_PARAM}
    for name, values, targets in changing:
        wanted = name if name not in names else f"{first.node(targets[0][0]).name}_{name}"
        chosen = free_name(wanted, names)
        names.add(chosen)
        params.append(BlockParam(chosen, tuple(targets), values[0]))
    return tuple(params)


def free_name(base: str, taken: set[str]) -> str:
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}{number}"
    return name
