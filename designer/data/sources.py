"""The dataset sources a project can name, and reading one from its settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from designer.data import arrays, builtin, generated, images, tables
from designer.data.dataset import Dataset
from designer.data.settings import MISSING, Section

Loader = Callable[[Section, Path | None], Dataset]

SOURCES: dict[str, Loader] = {
    "digits": lambda section, base: builtin.load_digits(section),
    "iris": lambda section, base: builtin.load_table("iris", section),
    "wine": lambda section, base: builtin.load_table("wine", section),
    "breast_cancer": lambda section, base: builtin.load_table("breast_cancer", section),
    "diabetes": lambda section, base: builtin.load_diabetes(section),
    "sine_waves": lambda section, base: generated.sine_waves(section),
    "tokens": lambda section, base: generated.token_sequences(section),
    "csv": tables.load_csv,
    "npz": arrays.load_npz,
    "npy": arrays.load_npy,
    "image_folder": images.load_image_folder,
}


def load_source(section: Section, base: Path | None) -> Dataset:
    """The dataset that section.source names; `base` is the folder relative paths start from."""
    source = section.choice("source", MISSING, tuple(SOURCES))
    return SOURCES[source](section, base)
