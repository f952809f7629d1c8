"""The dataset sources a project can name, and reading one's settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from designer.data import arrays, builtin, generated, images, standard, tables
from designer.data.settings import MISSING, Section
from designer.data.source_choice import SourceChoice

Reader = Callable[[Section, Path | None], SourceChoice]

SOURCES: dict[str, Reader] = {
    "digits": lambda section, base: builtin.digits(section),
    "iris": lambda section, base: builtin.table("iris", section),
    "wine": lambda section, base: builtin.table("wine", section),
    "breast_cancer": lambda section, base: builtin.table("breast_cancer", section),
    "diabetes": lambda section, base: builtin.diabetes(section),
    "sine_waves": lambda section, base: generated.sine_waves(section),
    "tokens": lambda section, base: generated.token_sequences(section),
    "csv": tables.csv_table,
    "npz": arrays.npz_arrays,
    "npy": arrays.npy_arrays,
    "image_folder": images.image_folder,
    **{
        name: (lambda section, base, name=name: standard.standard_images(name, section, base))
        for name in standard.SOURCE_NAMES
    },
}


def read_source(section: Section, base: Path | None) -> SourceChoice:
    """The source that section.source names; `base` is where relative paths start."""
    source = section.choice("source", MISSING, tuple(SOURCES))
    return SOURCES[source](section, base)
