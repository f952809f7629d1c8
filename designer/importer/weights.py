"""Carry the imported module's weights over to the names the generated module gives them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from designer.compiler import Analyzer
from designer.compiler.naming import Namespace
from designer.importer.errors import ImportProblem
from designer.model import GraphDocument

if TYPE_CHECKING:
    from designer.importer.importing import ImportResult


def layer_attributes(doc: GraphDocument) -> dict[str, str]:
    """Node id -> the attribute that holds its layer in the generated module: the names the code
    generator hands out, in the order it hands them out."""
    report = Analyzer(doc).report()
    namespace = Namespace()
    attributes = {}
    for node_id in report.order:
        node = doc.node(node_id)
        if node.spec.role != "output":
            attributes[node_id] = namespace.name(node_id, node.name, node.spec.kind)
    return attributes


def owner(key: str, paths: Mapping[str, str]) -> tuple[str, str] | None:
    """The node whose module path is the longest prefix of a state-dict key, and the rest."""
    parts = key.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        node_id = paths.get(".".join(parts[:cut]))
        if node_id is not None:
            return node_id, ".".join(parts[cut:])
    return None


def unplaced(keys: list[str], sources: Mapping[str, str]) -> list[str]:
    """State-dict keys that belong to no imported layer."""
    paths = {path: node_id for node_id, path in sources.items()}
    return [key for key in keys if owner(key, paths) is None]


def map_state_dict(result: ImportResult, state_dict: Mapping[str, Any]) -> dict[str, Any]:
    """The original module's state dict under the generated module's keys, ready for its
    load_state_dict; ImportProblem for a key that belongs to no imported layer."""
    paths = {path: node_id for node_id, path in result.sources.items()}
    attributes = layer_attributes(result.project.graph)
    mapped = {}
    for key, value in state_dict.items():
        found = owner(key, paths)
        if found is None:
            raise ImportProblem("state dict", f"{key!r} belongs to no imported layer")
        node_id, rest = found
        mapped[f"{attributes[node_id]}.{rest}"] = value
    return mapped
