"""A project file's block library: each definition once, instances refer to it by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from designer.model import GraphDocument
from designer.model.graph import FLOWS
from designer.model.library import BlockDefinition, BlockLibrary, BlockParam
from designer.model.records import graph_record
from designer.project.project import ProjectError
from nodes import ParamError
from nodes.block import BLOCK_KIND, BLOCK_PARAM

BLOCKLESS_VERSION, BLOCKS_VERSION, FLOW_VERSION = 1, 2, 3
MAX_NESTING = 32  # blocks within blocks; analysis recurses through them, one level a block
GraphBuilder = Callable[[dict[str, Any], str, str, BlockLibrary], GraphDocument]


def used_blocks(raw_graph: dict[str, Any]) -> set[str]:
    """The names of the blocks a graph section holds instances of."""
    return {
        str(item.get("params", {}).get(BLOCK_PARAM))
        for item in raw_graph["nodes"]
        if item["kind"] == BLOCK_KIND
    }


def load_blocks(
    raw: list[dict[str, Any]], source: str, library: BlockLibrary, build_graph: GraphBuilder
) -> None:
    """Add the file's blocks to `library`, each after the blocks it uses."""
    names = [item["name"] for item in raw]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise ProjectError(source, f"there are two blocks named {name!r}", f"blocks[{index}]")
    pending = dict(enumerate(raw))
    depths: dict[str, int] = {}  # how deep blocks nest inside each block, itself included
    while pending:
        built = {each.name for each in library}
        ready = [index for index, item in pending.items() if used_blocks(item["graph"]) <= built]
        if not ready:
            index = min(pending)
            message = "uses a block that is missing or that uses it in turn"
            raise ProjectError(source, message, f"blocks[{index}].graph")
        for index in ready:
            item = pending.pop(index)
            depth = 1 + max((depths[name] for name in used_blocks(item["graph"])), default=0)
            if depth > MAX_NESTING:
                message = f"nests blocks {depth} deep; they nest at most {MAX_NESTING} deep"
                raise ProjectError(source, message, f"blocks[{index}].graph")
            depths[item["name"]] = depth
            block = build_block(item, source, index, library, build_graph)
            try:
                library.add(block)
            except ValueError as error:
                raise ProjectError(source, str(error), f"blocks[{index}]") from None


def build_block(
    item: dict[str, Any], source: str, index: int, library: BlockLibrary, build: GraphBuilder
) -> BlockDefinition:
    where = f"blocks[{index}]"
    graph = build(item["graph"], source, f"{where}.graph", library)
    params = []
    for number, raw_param in enumerate(item.get("params", [])):
        place = f"{where}.params[{number}]"
        targets = tuple((node_id, name) for node_id, name in raw_param["targets"])
        for node_id, name in targets:
            if node_id not in graph or name not in graph.node(node_id).params:
                message = f"sets {name!r} of {node_id!r}, which the block does not have"
                raise ProjectError(source, message, f"{place}.targets")
        spec = graph.node(targets[0][0]).spec.param(targets[0][1])
        try:
            default = spec.coerce(raw_param["default"])
        except ParamError as error:
            raise ProjectError(source, str(error), f"{place}.default") from None
        params.append(BlockParam(raw_param["name"], targets, default))
    return BlockDefinition(item["name"], graph, tuple(params), item.get("description", ""))


def written_version(doc: GraphDocument) -> int:
    """The format a project is saved in: the oldest that holds it, so that a project without
    blocks still opens in a NetDesigner that knows none, and one drawn left to right in a
    NetDesigner that knows no other flow."""
    graphs = [doc, *(definition.graph for definition in doc.blocks)]
    if any(graph.flow != FLOWS[0] for graph in graphs):
        return FLOW_VERSION
    return BLOCKS_VERSION if len(doc.blocks) else BLOCKLESS_VERSION


def blocks_section(library: BlockLibrary) -> dict[str, Any]:
    """The file's `blocks` section, left out when there are none (see written_version)."""
    return {"blocks": blocks_to_json(library)} if len(library) else {}


def blocks_to_json(library: BlockLibrary) -> list[dict[str, Any]]:
    """Every definition, each after the blocks it uses (so that a reader can build in order)."""
    written: list[dict[str, Any]] = []
    done: set[str] = set()
    pending = list(library)
    while pending:
        ready = [each for each in pending if library.uses(each.name) <= done] or pending[:1]
        for definition in ready:
            written.append(block_record(definition))
            done.add(definition.name)
            pending.remove(definition)
    return written


def block_record(definition: BlockDefinition) -> dict[str, Any]:
    doc = definition.graph
    params = []
    for param in definition.params:
        node_id, name = param.targets[0]
        spec = doc.node(node_id).spec.param(name) if node_id in doc else None
        default = spec.to_json(param.default) if spec is not None else param.default
        targets = [list(target) for target in param.targets]
        params.append({"name": param.name, "targets": targets, "default": default})
    return {
        "name": definition.name,
        "description": definition.description,
        "graph": graph_record(doc),
        "params": params,
    }
