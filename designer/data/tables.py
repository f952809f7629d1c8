"""Settings of a CSV file: its path, delimiter, feature and target columns and task, the
memory its parsed values may fill and whether a large file's parsed table is kept."""

from __future__ import annotations

from pathlib import Path

from designer.data.cache_settings import memory_and_cache
from designer.data.files import existing_path
from designer.data.settings import Section
from designer.data.source_choice import SourceChoice
from designer.runtime.csv_tables import CsvTable

TASKS = ("auto", "classes", "regression")


def csv_table(section: Section, base: Path | None) -> SourceChoice:
    """Columns default to the last as the target and every other as a feature."""
    path = existing_path(section, "path", base)
    delimiter = section.text("delimiter", ",")
    if len(delimiter) != 1:
        raise section.fail("delimiter", f"must be one character, got {delimiter!r}")
    target = section.text("target") if section.raw("target", None) is not None else None
    features = None
    if section.raw("features", None) is not None:
        features = tuple(section.texts("features"))
    task = section.choice("task", "auto", TASKS)
    budget, cache = memory_and_cache(section, base)
    source = CsvTable(str(path.resolve()), delimiter, target, features, task, budget, cache)
    return SourceChoice(source, section.boolean("standardize", True))
