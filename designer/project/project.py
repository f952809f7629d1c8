"""A project: a name, a description, the graph document and its dataset and training sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.model import GraphDocument

FORMAT_VERSION = 4
SWEEP_VERSION = 4  # the first format with a sweep section
UNTITLED = "Untitled"  # a new project's name; saving it names it after its file


class ProjectError(Exception):
    """A project file that cannot be read, with the file and the place in it that is wrong."""

    def __init__(self, source: str, message: str, place: str = "") -> None:
        self.source, self.place, self.message = source, place, message
        where = f"{source}: {place}" if place else source
        super().__init__(f"{where}: {message}")


@dataclass
class Project:
    """Everything a project file holds; `path` is where it was loaded from or saved to."""

    name: str = UNTITLED
    description: str = ""
    graph: GraphDocument = field(default_factory=GraphDocument)
    dataset: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    sweep: dict[str, Any] = field(default_factory=dict)  # the search space (designer.sweep)
    path: Path | None = None
