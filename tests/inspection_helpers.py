"""Helpers for the inspection tests: small projects trained briefly into runs beside them,
on data whose class depends on one column or one time step only."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

from designer.model import GraphDocument
from designer.project import Project, save_project
from designer.training import Trainer, new_run, prepare_run

COLUMNS = ("alpha", "beta", "gamma", "delta")
DECIDING = "gamma"
STEPS = 12
DECIDING_STEP = 8  # t8, counted from 1


def train(project: Project) -> str:
    """Train `project` and return its run's id."""
    run = new_run(project.path)
    Trainer(prepare_run(project), run).run()
    return run.id


def small_classifier(path: Path, shape: list[int], dataset: dict[str, Any]) -> Project:
    """Input of `shape`, flattened, a hidden layer of 16 and two class scores."""
    doc = GraphDocument()
    chain = [
        doc.add_node("input", "features", {"shape": shape}),
        doc.add_node("flatten", "flatten"),
        doc.add_node("dense", "hidden", {"units": 16}),
        doc.add_node("relu", "relu"),
        doc.add_node("dense", "scores", {"units": 2}),
        doc.add_node("output", "label"),
    ]
    for source, target in itertools.pairwise(chain):
        doc.connect(source.id, "out", target.id, "in")
    project = Project(name=path.stem, graph=doc, path=path)
    project.dataset = dataset
    project.training = {
        "epochs": 15,
        "batch_size": 32,
        "seed": 0,
        "threads": 1,
        "optimizer": {"name": "adam", "lr": 0.01},
    }
    save_project(project, project.path)
    return project


def table_project(folder: Path) -> Project:
    """A CSV table of four columns whose class is whether the DECIDING one is above 0."""
    rows = np.random.default_rng(0).normal(size=(600, len(COLUMNS)))
    labels = rows[:, COLUMNS.index(DECIDING)] > 0
    lines = [",".join((*COLUMNS, "label"))]
    lines += [
        ",".join([*(f"{value:.4f}" for value in row), "yes" if label else "no"])
        for row, label in zip(rows, labels, strict=True)
    ]
    (folder / "table.csv").write_text("\n".join(lines) + "\n")
    dataset = {"source": "csv", "path": "table.csv", "target": "label"}
    return small_classifier(folder / "table.json", [len(COLUMNS)], dataset)


def sequence_project(folder: Path) -> Project:
    """Sequences of STEPS values whose class is whether step DECIDING_STEP is above 0."""
    x = np.random.default_rng(1).normal(size=(600, STEPS, 1)).astype(np.float32)
    y = (x[:, DECIDING_STEP - 1, 0] > 0).astype(np.int64)
    np.savez(folder / "waves.npz", x=x, y=y)
    dataset = {"source": "npz", "path": "waves.npz", "task": "classes"}
    return small_classifier(folder / "waves.json", [STEPS, 1], dataset)
