"""Helpers for data and training tests: example projects copied into a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from designer.project import Project, load_project, save_project
from designer.project.examples import copy_example


def example_copy(tmp_path: Path, name: str, **training: Any) -> Project:
    """A copy of an example beside which runs may be written; `training` settings replaced."""
    path = copy_example(name, tmp_path)
    project = load_project(path)
    project.training = {**project.training, **training}
    return project


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
