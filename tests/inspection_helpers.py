"""Helpers for the inspection tests: small projects trained briefly into runs beside them."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from designer.model import GraphDocument
from designer.project import Project, save_project
from designer.training import Trainer, new_run, prepare_run

COLUMNS = ("alpha", "beta", "gamma", "delta")
DECIDING = "gamma"


def train(project: Project) -> str:
    """Train `project` as saved and return its run's id."""
    run = new_run(project.path)
    Trainer(prepare_run(project), run).run()
    return run.id


def table_project(folder: Path) -> Project:
    """A table of four columns whose class is whether the `DECIDING` one is above 0, and a
    small network for it."""
    rows = np.random.default_rng(0).normal(size=(600, len(COLUMNS)))
    labels = (rows[:, COLUMNS.index(DECIDING)] > 0).astype(int)
    lines = [",".join((*COLUMNS, "label"))]
    lines += [
        ",".join([*(f"{value:.4f}" for value in row), "yes" if label else "no"])
        for row, label in zip(rows, labels, strict=True)
    ]
    (folder / "table.csv").write_text("\n".join(lines) + "\n")
    doc = GraphDocument()
    chain = [
        doc.add_node("input", "features", {"shape": [len(COLUMNS)]}),
        doc.add_node("dense", "hidden", {"units": 16}),
        doc.add_node("relu", "relu"),
        doc.add_node("dense", "scores", {"units": 2}),
        doc.add_node("output", "label"),
    ]
    for source, target in itertools.pairwise(chain):
        doc.connect(source.id, "out", target.id, "in")
    project = Project(name="table", graph=doc, path=folder / "table.json")
    project.dataset = {"source": "csv", "path": "table.csv", "target": "label"}
    project.training = {
        "epochs": 15,
        "batch_size": 32,
        "seed": 0,
        "threads": 1,
        "optimizer": {"name": "adam", "lr": 0.01},
    }
    save_project(project, project.path)
    return project
