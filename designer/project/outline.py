"""A project file's outline for a preview: its title, first sentence, layers and wires."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from designer.project.files import MAX_FILE_BYTES
from designer.project.project import ProjectError
from designer.project.regular_file import read_regular_file


@dataclass(frozen=True)
class Outline:
    """What a thumbnail of a project shows, read without building the project."""

    title: str
    summary: str = ""  # the description's first sentence
    description: str = ""
    boxes: list[tuple[str, float, float]] = field(default_factory=list)  # kind, x, y
    wires: list[tuple[int, int]] = field(default_factory=list)  # indices into boxes


def first_sentence(text: str, limit: int = 72) -> str:
    """The text up to its first full stop followed by a space, cut at a word to `limit`
    characters."""
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), flags=re.DOTALL)
    sentence = " ".join((match.group(1) if match else text).split())
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;") + "\u2026"


def read_outline(path: Path) -> Outline:
    """The outline of the project file at `path`; a file that cannot be read gives its name."""
    try:
        raw = json.loads(read_regular_file(path, MAX_FILE_BYTES).decode("utf-8"))
        graph = raw.get("graph", {})
        description = str(raw.get("description", ""))
        index, boxes = {}, []
        for node in graph.get("nodes", []):
            x, y = node.get("position", (0.0, 0.0))
            index[node["id"]] = len(boxes)
            boxes.append((str(node.get("kind", "")), float(x), float(y)))
        wires = [
            (index[edge["source"]], index[edge["target"]])
            for edge in graph.get("edges", [])
            if edge.get("source") in index and edge.get("target") in index
        ]
        title = str(raw.get("name", path.stem))
    except (ProjectError, ValueError, AttributeError, KeyError, TypeError):
        return Outline(path.stem)
    return Outline(title, first_sentence(description), description, boxes, wires)
