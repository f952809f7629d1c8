"""Helpers for data and training tests: example projects copied into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from designer.project import Project, load_project, save_project
from tests.helpers import PROJECTS


def example_copy(tmp_path: Path, name: str, **training: Any) -> Project:
    """A copy of an example beside which runs may be written; `training` settings replaced."""
    path = copy_example(tmp_path, name)
    project = load_project(path)
    project.training = {**project.training, **training}
    return project


def copy_example(folder: Path, name: str) -> Path:
    """The example's file copied into `folder`, with the image folder it reads, if any."""
    path = Path(shutil.copy(PROJECTS / f"{name}.json", folder / f"{name}.json"))
    images = load_project(path).dataset.get("path")
    if images and (PROJECTS / images).is_dir() and not (folder / images).exists():
        shutil.copytree(PROJECTS / images, folder / images)
    return path


def add_dropout(project: Project, after: str = "relu1", p: float = 0.3) -> Project:
    """Put a Dropout behind the layer named `after`, so that runs draw random numbers."""
    doc = project.graph
    source = doc.find(after)
    wire = doc.out_edges(source.id)[0]
    doc.disconnect(wire.id)
    dropout = doc.add_node("dropout", "dropout", {"p": p})
    doc.connect(source.id, "out", dropout.id, "in")
    doc.connect(dropout.id, "out", wire.target, wire.target_port)
    return project


def with_dataset(project: Project, dataset: dict[str, Any]) -> Project:
    project.dataset = dataset
    save_project(project)
    return project


def events_of(trainer) -> list:
    return list(trainer.events())
