"""The shape of one sample a dataset section gives, where its settings alone tell it: the
bundled, standard and generated sets and image folders, without reading any data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from designer.data import images
from designer.data.settings import Section
from designer.data.sources import SOURCES, read_source
from designer.runtime.builtin_sets import Diabetes, Digits, ScikitTable
from designer.runtime.errors import DataError, SetupError
from designer.runtime.generated_sets import SineWaves, TokenSequences
from designer.runtime.standard_sets import StandardImages

FILE_SOURCES = ("csv", "npz", "npy")  # their files must be read to know
TABLE_FEATURES = {"iris": 4, "wine": 13, "breast_cancer": 30}
DIABETES_FEATURES = 10
STANDARD_SHAPES = {
    "mnist": (1, 28, 28),
    "fashion_mnist": (1, 28, 28),
    "kmnist": (1, 28, 28),
    "cifar10": (3, 32, 32),
    "cifar100": (3, 32, 32),
}


def settings_sample_shape(dataset: dict[str, Any], base: Path | None) -> tuple[int, ...] | None:
    """The shape the settings give, or None: for files, and for settings a run would refuse
    (it says why then)."""
    source = dataset.get("source") if isinstance(dataset, dict) else None
    if source not in SOURCES or source in FILE_SOURCES:
        return None
    try:
        section = Section(dataset, "dataset", DataError)
        if source == "image_folder":  # the shape needs no folder: it is resized to the setting
            channels = 3 if images.image_color(section) == "rgb" else 1
            return (channels, *images.image_size(section))
        return source_sample_shape(read_source(section, base).source)
    except SetupError:
        return None


def source_sample_shape(source: Any) -> tuple[int, ...] | None:
    match source:
        case Digits(image_size=size):
            return (1, size, size)
        case ScikitTable(name=name):
            return (TABLE_FEATURES[name],)
        case Diabetes():
            return (DIABETES_FEATURES,)
        case SineWaves(length=length):
            return (length, 1)
        case TokenSequences(length=length):
            return (length,)
        case StandardImages(name=name):
            return STANDARD_SHAPES[name]
    return None
