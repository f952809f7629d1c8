"""Identical block instances wired one after another become one instance with `repeat`."""

from __future__ import annotations

from dataclasses import replace

from torch import nn

from designer.importer.assemble import Assembly
from designer.importer.uses import Copy
from designer.model import Node
from nodes.block import BLOCK_KIND, REPEAT_PARAM


def chain_repeats(assembly: Assembly, root: nn.Module) -> None:
    """An instance whose one use is the one input of an instance of the same block with the same
    params, both giving out what they take in, takes the second one in: repeat counts add up,
    as the generated code chains that many copies of the block's class."""
    doc = assembly.doc
    for node in doc.nodes():
        if node.id not in doc or node.kind != BLOCK_KIND:
            continue
        while (following := next_copy(assembly, doc.node(node.id))) is not None:
            leaving = doc.out_edges(following.id)
            repeat = node.params[REPEAT_PARAM] + following.params[REPEAT_PARAM]
            doc.remove_node(following.id)
            for wire in leaving:
                doc.insert_edge(replace(wire, source=node.id))
            doc.set_param(node.id, REPEAT_PARAM, repeat)
            node = doc.node(node.id)
            assembly.blocks[node.id] += assembly.blocks.pop(following.id)
            assembly.expected = [item for item in assembly.expected if item[0] != following.id]
        container = container_name(assembly.blocks.get(node.id, []), root)
        if container and container not in {each.name for each in doc.nodes()}:
            doc.rename(node.id, container)


def next_copy(assembly: Assembly, node: Node) -> Node | None:
    """The instance that `node` alone feeds, if it is a copy of `node` that can join it."""
    doc = assembly.doc
    leaving, entering = doc.out_edges(node.id), doc.in_edges(node.id)
    if len(leaving) != 1 or len(entering) != 1:
        return None
    following = doc.node(leaving[0].target)
    if following.kind != BLOCK_KIND or len(doc.in_edges(following.id)) != 1:
        return None
    if without_repeat(following) != without_repeat(node):
        return None
    shapes = dict(assembly.expected)
    taken, given = shapes.get(entering[0].source), shapes.get(node.id)
    return following if taken is not None and taken == given == shapes.get(following.id) else None


def container_name(copies: list[Copy], root: nn.Module) -> str | None:
    """'blocks' when the copies blocks.0, blocks.1, blocks.2 are the whole of `blocks` (a
    Sequential or ModuleList)."""
    parents = {copy.path.rpartition(".")[0] for copy in copies}
    indices = [copy.path.rpartition(".")[2] for copy in copies]
    if len(copies) < 2 or len(parents) != 1 or not (parent := parents.pop()):
        return None
    children = len(list(root.get_submodule(parent).children()))
    if indices != [str(number) for number in range(children)]:
        return None
    return parent.replace(".", "_")


def without_repeat(node: Node) -> dict:
    return {name: value for name, value in node.params.items() if name != REPEAT_PARAM}
