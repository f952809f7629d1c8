"""Checks of a settings form's result with the parsers that read it at Start, cheap ones only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from designer.data import DataError, Section, prepare_data, standard
from designer.data.arrays import max_classes
from designer.data.files import existing_path
from designer.data.prepare import split_settings
from designer.data.tables import csv_options
from designer.training.config import parse_training
from designer.training.settings_spec import FILE_SOURCES


def check_settings(dataset: dict[str, Any], training: dict[str, Any], base: Path | None) -> None:
    """Raise the parsers' SetupError for a wrong value. Built-in and generated sets are
    prepared (quick); file sources get their split and paths checked, the files are read at
    Start; a standard set gets its split checked, it may be downloaded at Start. An empty
    dataset is allowed: Start asks for one."""
    parse_training(training)
    if not dataset:
        return
    if dataset.get("source") in standard.SOURCE_NAMES:
        split_settings(Section(dataset, "dataset", DataError).child("split"))
        return
    if dataset.get("source") not in FILE_SOURCES:
        prepare_data(dataset, base)
        return
    section = Section(dataset, "dataset", DataError)
    split_settings(section.child("split"))
    existing_path(section, "path", base, folder=dataset["source"] == "image_folder")
    if dataset["source"] == "npy":
        existing_path(section, "targets", base)
    if dataset["source"] == "csv":
        csv_options(section)
    if dataset["source"] in ("csv", "npz", "npy"):
        max_classes(section)
