"""Settings of NumPy arrays: one .npz file with named arrays, or .npy files for samples and
targets."""

from __future__ import annotations

from pathlib import Path

from designer.data.files import existing_path
from designer.data.settings import Section
from designer.data.source_choice import SourceChoice
from designer.runtime.arrays import NpyArrays, NpzArrays
from designer.runtime.dataset import MAX_CLASSES

TASKS = ("auto", "classes", "multilabel", "regression", "reconstruction")
HIGHEST_MAX_CLASSES = 10_000_000


def npz_arrays(section: Section, base: Path | None) -> SourceChoice:
    path = existing_path(section, "path", base)
    source = NpzArrays(
        str(path.resolve()),
        section.text("x", "x"),
        section.text("y", "y"),
        section.choice("task", "auto", TASKS),
        max_classes(section),
    )
    return SourceChoice(source, section.boolean("standardize", False))


def npy_arrays(section: Section, base: Path | None) -> SourceChoice:
    x_path = existing_path(section, "path", base)
    y_path = existing_path(section, "targets", base)
    task = section.choice("task", "auto", TASKS)
    source = NpyArrays(str(x_path.resolve()), str(y_path.resolve()), task, max_classes(section))
    return SourceChoice(source, section.boolean("standardize", False))


def max_classes(section: Section) -> int:
    """The most classes whole-number targets may give (dataset.max_classes)."""
    return section.integer("max_classes", MAX_CLASSES, minimum=2, maximum=HIGHEST_MAX_CLASSES)
