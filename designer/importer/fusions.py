"""Chains of reshapes that the catalog has one layer for, folded into it after mapping: a channel
shuffle written as view, transpose and view (ShuffleNet), and a LayerNorm over channels written
as permute, LayerNorm and permute back (ConvNeXt's LayerNorm2d, and the catalog's own code)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from designer.model import Node

if TYPE_CHECKING:
    from designer.importer.assemble import Assembly


def fold_reshapes(assembly: Assembly, unique: Callable[[str], str]) -> None:
    """Fold every such chain in the assembly's graph; `unique` names a new node."""
    doc = assembly.doc
    for node in doc.nodes():
        if node.id not in doc:
            continue
        if node.kind == "reshape":
            fold_shuffle(assembly, node, unique)
        elif node.kind == "layernorm":
            fold_channel_norm(assembly, node)


def only_user(assembly: Assembly, node: Node, kind: str) -> Node | None:
    """The one node that uses `node`'s output, if it is of `kind` and made by no module."""
    doc = assembly.doc
    wires = doc.out_edges(node.id)
    if len(wires) != 1:
        return None
    user = doc.node(wires[0].target)
    return user if user.kind == kind and user.id not in assembly.sources else None


def shapes(assembly: Assembly) -> dict[str, tuple[int, ...]]:
    return {node_id: made.shape for node_id, made in assembly.expected}


def fold_shuffle(assembly: Assembly, first: Node, unique: Callable[[str], str]) -> None:
    """(C, *rest) -> reshape (g, C/g, *rest) -> swap the first two -> reshape (C, *rest): a
    ChannelShuffle of g groups."""
    doc = assembly.doc
    swap = only_user(assembly, first, "permute")
    last = only_user(assembly, swap, "reshape") if swap is not None else None
    if last is None or first.id in assembly.sources or len(doc.in_edges(first.id)) != 1:
        return
    made = shapes(assembly)
    source = doc.in_edges(first.id)[0]
    before, split = made.get(source.source), made.get(first.id)
    if before is None or split is None or made.get(last.id) != before or len(before) < 2:
        return
    channels, rest = before[0], before[1:]
    groups = split[0]
    rank = len(split)
    if split != (groups, channels // groups, *rest) or groups * split[1] != channels:
        return
    if tuple(swap.params["dims"]) != (1, 0, *range(2, rank)):
        return
    head, found, _ = first.name.rpartition("reshape")
    name = unique(f"{head}channel_shuffle" if found else "channel_shuffle")
    shuffle = Node(first.id, "channel_shuffle", name, {"groups": groups}, order=first.order)
    replace_chain(assembly, [first, swap, last], shuffle, source)


def fold_channel_norm(assembly: Assembly, norm: Node) -> None:
    """permute (a dim moved last) -> LayerNorm -> the inverse permute: a LayerNorm over that
    dim."""
    doc = assembly.doc
    wires = doc.in_edges(norm.id)
    if norm.params["dim"] != -1 or len(wires) != 1:
        return
    before = doc.node(wires[0].source)
    after = only_user(assembly, norm, "permute")
    if before.kind != "permute" or before.id in assembly.sources or after is None:
        return
    if len(doc.out_edges(before.id)) != 1 or len(doc.in_edges(before.id)) != 1:
        return
    order = list(before.params["dims"])
    moved = order[-1]
    if order != [dim for dim in range(len(order)) if dim != moved] + [moved]:
        return
    if [order.index(dim) for dim in range(len(order))] != list(after.params["dims"]):
        return
    (source,) = doc.in_edges(before.id)
    made = shapes(assembly)
    users = doc.out_edges(after.id)
    doc.remove_node(before.id)
    doc.remove_node(after.id)
    doc.insert_edge(replace(source, target=norm.id))
    for wire in users:
        doc.insert_edge(replace(wire, source=norm.id))
    doc.set_param(norm.id, "dim", moved)
    settle(assembly, {before.id, after.id}, norm.id, made[after.id])


def replace_chain(assembly: Assembly, chain: list[Node], node: Node, source) -> None:
    """Put `node` (with the first node's id) in place of the chain, fed by `source`."""
    doc = assembly.doc
    made = shapes(assembly)[chain[-1].id]
    users = doc.out_edges(chain[-1].id)
    for each in chain:
        doc.remove_node(each.id)
    doc.insert_node(node)
    doc.insert_edge(source)
    for wire in users:
        doc.insert_edge(replace(wire, source=node.id))
    settle(assembly, {each.id for each in chain[1:]}, node.id, made)


def settle(assembly: Assembly, removed: set[str], kept: str, made: tuple[int, ...]) -> None:
    """The shapes the module made: none for removed nodes, the chain's last for the kept."""
    assembly.expected = [
        (node_id, replace(shape, shape=made) if node_id == kept else shape)
        for node_id, shape in assembly.expected
        if node_id not in removed
    ]
