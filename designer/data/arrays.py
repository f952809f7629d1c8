"""Settings of NumPy arrays: one .npz file with named arrays, or .npy files for samples and
targets."""

from __future__ import annotations

from pathlib import Path

from designer.data.files import existing_path
from designer.data.settings import Section
from designer.data.source_choice import SourceChoice
from designer.runtime.arrays import NpyArrays, NpzArrays

TASKS = ("auto", "classes", "multilabel", "regression", "reconstruction")


def npz_arrays(section: Section, base: Path | None) -> SourceChoice:
    path = existing_path(section, "path", base)
    source = NpzArrays(
        str(path.resolve()),
        section.text("x", "x"),
        section.text("y", "y"),
        section.choice("task", "auto", TASKS),
    )
    return SourceChoice(source, section.boolean("standardize", False))


def npy_arrays(section: Section, base: Path | None) -> SourceChoice:
    x_path = existing_path(section, "path", base)
    y_path = existing_path(section, "targets", base)
    task = section.choice("task", "auto", TASKS)
    source = NpyArrays(str(x_path.resolve()), str(y_path.resolve()), task)
    return SourceChoice(source, section.boolean("standardize", False))
