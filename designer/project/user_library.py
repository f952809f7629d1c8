"""The user's own block library: one file per block (with the blocks it uses), shared between
projects; saved atomically, read with every check a project file gets."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.model.library import BlockLibrary
from designer.project.block_sharing import block_records, library_from_records
from designer.project.files import MAX_FILE_BYTES
from designer.project.project import FORMAT_VERSION, ProjectError
from designer.project.regular_file import read_regular_file
from designer.runtime.files import write_atomically

LIBRARY_FORMAT = "netdesigner-block"
UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
MAX_STEM = 60


@dataclass(frozen=True)
class LibraryBlock:
    """A block file of the library: the block's name and description, or why it is unreadable."""

    path: Path
    name: str
    description: str = ""
    problem: str = ""


def block_file(folder: Path, name: str) -> Path:
    stem = UNSAFE.sub("_", name).strip("_")[:MAX_STEM] or "block"
    return folder / f"{stem}.json"


def save_block(folder: Path, library: BlockLibrary, name: str) -> Path:
    """Write the block `name` and the blocks it uses to the library folder; returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = block_file(folder, name)
    payload = {
        "format": LIBRARY_FORMAT,
        "version": FORMAT_VERSION,
        "block": name,
        "blocks": block_records(library, {name}),
    }
    write_atomically(path, json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
    return path


def read_block(path: Path) -> tuple[str, list[dict[str, Any]], BlockLibrary]:
    """The block a library file holds, its records and them built; ProjectError when the file
    is missing, damaged or not a block file."""
    source = str(path)
    data = read_regular_file(path, MAX_FILE_BYTES)
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ProjectError(source, f"is not a block file ({error})") from None
    if not isinstance(raw, dict) or raw.get("format") != LIBRARY_FORMAT:
        raise ProjectError(source, "is not a NetDesigner block file")
    name, records = raw.get("block"), raw.get("blocks")
    built = library_from_records(records, source)
    if not isinstance(name, str) or name not in built:
        raise ProjectError(source, "does not hold the block it names", "block")
    return name, records, built


def library_blocks(folder: Path) -> list[LibraryBlock]:
    """Every block file in the folder, by name; damaged ones are listed with their problem."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            name, _, built = read_block(path)
        except ProjectError as error:
            found.append(LibraryBlock(path, path.stem, problem=str(error)))
            continue
        found.append(LibraryBlock(path, name, built.get(name).description))
    return sorted(found, key=lambda each: each.name.lower())
