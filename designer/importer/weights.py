"""Carry the imported module's weights over to the names the generated module gives them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from designer.compiler import Analyzer
from designer.compiler.carried import global_names
from designer.compiler.naming import Namespace
from designer.importer.errors import ImportProblem
from designer.importer.uses import Copy
from designer.model import GraphDocument
from designer.model.library import BlockLibrary
from nodes import Role
from nodes.block import BLOCK_PARAM
from nodes.custom_call import WEIGHT

# Kinds whose class computes the tensor the module held (a fixed table): none is carried over.
COMPUTED = frozenset({"sinusoidal_position_encoding"})

if TYPE_CHECKING:
    from designer.importer.importing import ImportResult


def layer_attributes(doc: GraphDocument) -> dict[str, str]:
    """Node id -> the attribute that holds its layer in the generated module: the names the code
    generator hands out, in the order it hands them out."""
    report = Analyzer(doc).report()
    namespace = Namespace(global_names(doc))
    attributes = {}
    for node_id in report.order:
        node = doc.node(node_id)
        if node.spec.role != Role.OUTPUT:
            attributes[node_id] = namespace.name(node_id, node.name, node.spec.kind)
    return attributes


def held_paths(sources: Mapping[str, str], blocks: Mapping[str, list[Copy]]) -> set[str]:
    """The module paths of every imported layer, those inside block instances too."""
    held = set(sources.values())
    for copies in blocks.values():
        for copy in copies:
            held |= copy_paths(copy, copy.path)
    return held


def copy_paths(copy: Copy, origin: str) -> set[str]:
    """The module paths of the layers of a copy of a block found at `origin`."""
    held = {f"{origin}.{path}" for path in copy.sources.values()}
    for copies in copy.blocks.values():
        for nested in copies:
            held |= copy_paths(nested, f"{origin}.{nested.path}")
    return held


def placements(
    doc: GraphDocument, sources: Mapping[str, str], blocks: Mapping[str, list[Copy]]
) -> dict[str, str]:
    """Module path in the imported module -> attribute path in the generated one. The code of a
    block instance with repeat N is an nn.Sequential of N copies of the block's class."""
    attributes = layer_attributes(doc)
    placed = {path: attributes[node_id] for node_id, path in sources.items()}
    for node_id, copies in blocks.items():
        block = doc.node(node_id).params[BLOCK_PARAM]
        for number, copy in enumerate(copies):
            prefix = attributes[node_id] + (f".{number}" if len(copies) > 1 else "")
            placed |= placements_in(doc.blocks, block, copy, copy.path, prefix)
    return placed


def placements_in(
    library: BlockLibrary, block: str, copy: Copy, origin: str, prefix: str
) -> dict[str, str]:
    """The placements of one copy of a block, found at `origin` in the imported module and at
    `prefix` in the generated one, blocks inside it included."""
    graph = library.get(block).graph
    attributes = layer_attributes(graph)
    placed = {
        f"{origin}.{path}": f"{prefix}.{attributes[node_id]}"
        for node_id, path in copy.sources.items()
    }
    for node_id, copies in copy.blocks.items():
        inner = graph.node(node_id).params[BLOCK_PARAM]
        for number, nested in enumerate(copies):
            at = f"{prefix}.{attributes[node_id]}" + (f".{number}" if len(copies) > 1 else "")
            placed |= placements_in(library, inner, nested, f"{origin}.{nested.path}", at)
    return placed


def owner(key: str, paths: Mapping[str, str] | set[str]) -> tuple[str, str] | None:
    """The longest module path in `paths` that a state-dict key starts with, and the rest;
    with no rest when the path is the key itself (a tensor read straight from the module, as
    a layer scale's or a custom-code node's)."""
    parts = key.split(".")
    for cut in range(len(parts), 0, -1):
        path = ".".join(parts[:cut])
        if path in paths:
            return path, ".".join(parts[cut:])
    return None


def unplaced(keys: Iterable[str], paths: set[str]) -> list[str]:
    """State-dict keys that belong to no imported layer."""
    return [key for key in keys if owner(key, paths) is None]


def map_state_dict(result: ImportResult, state_dict: Mapping[str, Any]) -> dict[str, Any]:
    """The original module's state dict under the generated module's keys, ready for its
    load_state_dict; ImportProblem for a key that belongs to no imported layer."""
    doc = result.project.graph
    placed = placements(doc, result.sources, result.blocks)
    computed = {
        path for node_id, path in result.sources.items() if doc.node(node_id).kind in COMPUTED
    }
    mapped = {}
    for key, value in state_dict.items():
        found = owner(key, placed)
        if found is None:
            raise ImportProblem("state dict", f"{key!r} belongs to no imported layer")
        path, rest = found
        if path in computed:
            continue
        # a tensor read straight from the module is its layer's weight: a LayerScale's
        # factors, a custom-code node's learned tensor
        mapped[f"{placed[path]}.{rest or WEIGHT}"] = value
    return mapped
