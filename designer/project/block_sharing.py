"""Blocks that travel between projects: with copied layers, and through a user's own library."""

from __future__ import annotations

import copy
import json
from typing import Any

from designer.model import GraphDocument, GraphError
from designer.model.block_transfer import copy_blocks, same_block
from designer.model.edits import FRAGMENT_FORMAT, fragment, paste
from designer.model.library import BlockLibrary
from designer.project.block_files import blocks_to_json
from designer.project.files import project_from_text
from designer.project.project import FORMAT_VERSION, ProjectError
from nodes.block import BLOCK_KIND, BLOCK_PARAM

Records = list[dict[str, Any]]


def block_records(library: BlockLibrary, names: set[str]) -> Records:
    """The file records of the named blocks and of every block they use, each after those."""
    wanted = set(names)
    for name in names:
        wanted |= library.uses(name)
    return [record for record in blocks_to_json(library) if record["name"] in wanted]


def library_from_records(records: Any, source: str) -> BlockLibrary:
    """Build block records as a project file's would be: every check of loading applies, and
    any problem is one ProjectError naming `source` and the place."""
    wrapper = {
        "format_version": FORMAT_VERSION,
        "name": "blocks",
        "graph": {"nodes": [], "edges": []},
        "blocks": records,
    }
    return project_from_text(json.dumps(wrapper), source).graph.blocks


def adopt_blocks(doc: GraphDocument, records: Any, source: str) -> dict[str, str]:
    """Add the recorded blocks to `doc`'s library (journaled like any edit of it). A block the
    project has already, unchanged, is kept; a different block of a taken name comes in under
    a free name. Returns those renames, from the recorded name to the name in the project."""
    renames: dict[str, str] = {}
    while True:
        incoming = library_from_records(records, source)
        clashes = [
            each.name
            for each in incoming
            if each.name in doc.blocks and not same_block(doc.blocks.get(each.name), each)
        ]
        if not clashes:
            break
        taken = {each.name for each in doc.blocks} | {each.name for each in incoming}
        step = {}
        for name in clashes:
            step[name] = free_name(name, taken)
            taken.add(step[name])
        # A new name is free, so it never clashes again: each block is renamed at most once,
        # though a block that holds a renamed one may then differ and clash in its turn.
        records = renamed(records, step)
        renames.update(step)
    copy_blocks(incoming, doc, [each.name for each in incoming])
    return renames


def all_present(doc: GraphDocument, records: Any) -> bool:
    if not isinstance(records, list):
        return False
    names = [record.get("name") for record in records if isinstance(record, dict)]
    return all(isinstance(name, str) and name in doc.blocks for name in names)


def renamed(records: Records, renames: dict[str, str]) -> Records:
    """A copy of the records with blocks renamed, and the instances inside them following."""
    records = copy.deepcopy(records)
    for record in records:
        record["name"] = renames.get(record["name"], record["name"])
        rename_instances(record["graph"]["nodes"], renames)
    return records


def rename_instances(nodes: list[dict[str, Any]], renames: dict[str, str]) -> None:
    for node in nodes:
        params = node.get("params")
        if not isinstance(params, dict) or node.get("kind") != BLOCK_KIND:
            continue
        if isinstance(params.get(BLOCK_PARAM), str) and params[BLOCK_PARAM] in renames:
            params[BLOCK_PARAM] = renames[params[BLOCK_PARAM]]


def free_name(name: str, taken: set[str]) -> str:
    number = 2
    while f"{name}{number}" in taken:
        number += 1
    return f"{name}{number}"


def fragment_with_blocks(doc: GraphDocument, node_ids: list[str]) -> dict[str, Any]:
    """The chosen layers for the clipboard, with the blocks their instances use, so that they
    paste into another project too."""
    data = fragment(doc, node_ids)
    used = {
        str(node["params"][BLOCK_PARAM]) for node in data["nodes"] if node["kind"] == BLOCK_KIND
    }
    if used:
        data["blocks"] = block_records(doc.blocks, used)
        data["library"] = doc.blocks.token
    return data


def paste_with_blocks(doc: GraphDocument, data: Any) -> list[str]:
    """Paste a fragment, first adopting the blocks it carries (see adopt_blocks). Back in the
    project it came from, instances keep to its blocks as they are now, edited or not."""
    if isinstance(data, dict) and data.get("format") == FRAGMENT_FORMAT and "blocks" in data:
        if data.get("library") == doc.blocks.token and all_present(doc, data["blocks"]):
            return paste(doc, data)
        try:
            renames = adopt_blocks(doc, data["blocks"], "the clipboard")
        except ProjectError as error:
            raise GraphError(f"the clipboard's blocks are damaged: {error}") from None
        data = copy.deepcopy(data)
        if isinstance(data.get("nodes"), list):
            rename_instances([node for node in data["nodes"] if isinstance(node, dict)], renames)
    return paste(doc, data)
