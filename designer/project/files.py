"""Load and save project files: parse, check, build; atomic writes; nothing is ever executed."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema

from designer.model import Edge, GraphDocument, GraphError
from designer.model.library import BlockLibrary
from designer.model.records import graph_record
from designer.project.block_files import blocks_section, load_blocks, written_version
from designer.project.migrations import migrate
from designer.project.project import (
    FORMAT_VERSION,
    SWEEP_VERSION,
    UNTITLED,
    Project,
    ProjectError,
)
from designer.project.regular_file import read_regular_file
from designer.project.schema import PROJECT
from designer.project.wire_counts import check_wire_counts
from designer.runtime.files import write_atomically
from nodes import REGISTRY
from nodes.block import BLOCK_KIND

MAX_FILE_BYTES = 64 * 1024 * 1024
SURROGATE = re.compile("[\ud800-\udfff]")  # half of a UTF-16 pair, which UTF-8 cannot hold
VALIDATOR = jsonschema.Draft202012Validator(PROJECT)


def load_project(path: str | os.PathLike) -> Project:
    """Read a project file; any problem raises one ProjectError naming the file and place. A
    file without a name takes the file's (lenet.json: "lenet")."""
    path = Path(path)
    project = project_from_text(read_regular_file(path, MAX_FILE_BYTES), str(path))
    project.path = path
    if project.name == UNTITLED:  # a file from before projects had names, as saving names it
        project.name = path.stem
    return project


def project_from_text(data: bytes | str, source: str = "<text>") -> Project:
    """Parse, check and build a project from the bytes (or text) of a project file."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProjectError(source, f"is not UTF-8 text (byte {error.start})") from None
    raw = parse_json(data, source)
    check_unicode(raw, data, source, "holds")
    check_structure(raw, source)
    return build_project(migrate(raw), source)


def reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text, parse_constant=reject_constant)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise ProjectError(source, f"is not valid JSON ({error.msg})", where) from None
    except ValueError as error:
        raise ProjectError(source, f"is not valid JSON ({error})") from None
    except RecursionError:
        raise ProjectError(source, "is nested too deeply to be a project file") from None


def broken_text(raw: Any) -> tuple | None:
    """The JSON path of a key or string holding half of a UTF-16 pair, or None. JSON
    may escape one (\\ud800), but no UTF-8 file can hold it: such a project would never save."""
    stack: list[tuple[tuple, Any]] = [((), raw)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str) and SURROGATE.search(value):
            return path
        if isinstance(value, dict):
            for key, item in value.items():
                if SURROGATE.search(key):
                    return path
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
    return None


def may_hold_surrogates(text: str) -> bool:
    """A quick look at JSON text: True if it has a surrogate as a character or as an escape
    (or an escaped backslash before "ud": a false alarm, which costs only a closer look)."""
    if "\\ud" in text or "\\uD" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_unicode(raw: Any, text: str, source: str, verb: str) -> None:
    """Refuse lone surrogates in `raw`; `text`, its JSON, is looked at first (it is quicker)."""
    path = broken_text(raw) if may_hold_surrogates(text) else None
    if path is not None:
        message = f"{verb} text that is not valid Unicode (a lone surrogate such as \\ud800)"
        raise ProjectError(source, message, place_of(path) or "top level")


def place_of(path: Any) -> str:
    """A JSON path as people read it: graph.nodes[3].params."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def check_structure(raw: Any, source: str) -> None:
    if not isinstance(raw, dict):
        raise ProjectError(source, "is not a NetDesigner project (expected a JSON object)")
    version = raw.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise ProjectError(
            source,
            f"was saved by a newer NetDesigner (format {version}; this version reads up to "
            f"{FORMAT_VERSION}). Update NetDesigner to open it",
            "format_version",
        )
    check_wire_counts(raw, source)  # in one pass, before the schema's slower look at each
    try:
        error = jsonschema.exceptions.best_match(VALIDATOR.iter_errors(raw))
    except RecursionError:
        raise ProjectError(source, "is nested too deeply to be a project file") from None
    if error is not None:
        message = error.message if len(error.message) < 200 else error.message[:200] + "..."
        raise ProjectError(source, message, place_of(error.absolute_path) or "top level")
    if version < 1:
        raise ProjectError(source, f"has an invalid format version {version}", "format_version")


def build_project(raw: dict[str, Any], source: str) -> Project:
    library = BlockLibrary()
    load_blocks(raw.get("blocks", []), source, library, build_graph)
    return Project(
        name=raw.get("name", UNTITLED),
        description=raw.get("description", ""),
        graph=build_graph(raw["graph"], source, "graph", library),
        dataset=raw.get("dataset", {}),
        training=raw.get("training", {}),
        sweep=raw.get("sweep", {}),
    )


def build_graph(
    raw: dict[str, Any], source: str, where: str, blocks: BlockLibrary
) -> GraphDocument:
    """The graph document of a file's `graph` section (or a block's, at `where`)."""
    doc = GraphDocument(blocks)
    doc.set_flow(raw.get("flow", doc.flow))
    for index, item in enumerate(raw["nodes"]):
        place = f"{where}.nodes[{index}]"
        if item["id"] in doc:
            raise ProjectError(source, f"node id {item['id']!r} is used twice", f"{place}.id")
        if item["kind"] != BLOCK_KIND and item["kind"] not in REGISTRY:
            raise ProjectError(source, f"unknown layer kind {item['kind']!r}", f"{place}.kind")
        try:
            doc.add_node(
                item["kind"],
                item.get("name", item["id"]),
                item.get("params", {}),
                tuple(item.get("position", (0.0, 0.0))),
                node_id=item["id"],
            )
        except GraphError as error:
            raise ProjectError(source, str(error), f"{place}.params") from None
    named = {item["id"] for item in raw["edges"] if "id" in item}
    for index, item in enumerate(raw["edges"]):
        place = f"{where}.edges[{index}]"
        for end in ("source", "target"):
            if item[end] not in doc:
                raise ProjectError(source, f"there is no node {item[end]!r}", f"{place}.{end}")
        edge = Edge(
            item["id"] if "id" in item else fresh_id(named, index + 1),
            item["source"],
            item.get("source_port", "out"),
            item["target"],
            item.get("target_port", "in"),
            order=index + 1,
        )
        try:
            doc.insert_edge(edge)
        except GraphError as error:
            raise ProjectError(source, str(error), place) from None
    return doc


def fresh_id(taken: set[str], number: int) -> str:
    """An edge id not in `taken` (which it then joins), for wires a file gives without one."""
    while f"e{number}" in taken:
        number += 1
    taken.add(f"e{number}")
    return f"e{number}"


def project_to_dict(project: Project) -> dict[str, Any]:
    doc = project.graph
    return {
        "format_version": max(written_version(doc), SWEEP_VERSION if project.sweep else 1),
        "name": project.name,
        "description": project.description,
        "graph": graph_record(doc),
        "dataset": project.dataset,
        "training": project.training,
        **blocks_section(doc.blocks),
        **({"sweep": project.sweep} if project.sweep else {}),
    }


def project_to_text(project: Project) -> str:
    """The file's text; raises ProjectError if the file could not be opened again (a name too
    long, a number JSON cannot hold, text that is not Unicode), so that nothing is saved that
    would not load."""
    data = project_to_dict(project)
    error = jsonschema.exceptions.best_match(VALIDATOR.iter_errors(data))
    if error is not None:
        place = place_of(error.absolute_path) or "top level"
        raise ProjectError(project.name, f"cannot be saved: {error.message[:200]}", place)
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError as error:
        raise ProjectError(project.name, f"cannot be saved: {error}") from None
    check_unicode(data, text, project.name, "cannot be saved: it holds")
    return text


def save_project(project: Project, path: str | os.PathLike | None = None) -> Path:
    """Save atomically: the file on disk is always the old or the new version, never half.
    An untitled project takes the file's name (lenet.json: "lenet")."""
    target = Path(path) if path is not None else project.path
    if target is None:
        raise ValueError("the project has no file yet; give a path")
    named = replace(project, name=target.stem) if project.name == UNTITLED else project
    write_atomically(target, project_to_text(named))
    project.path, project.name = target, named.name
    return target
