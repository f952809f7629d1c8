"""Settings of a CSV file: its path, delimiter, feature and target columns and task, the
memory its parsed values may fill, whether a large file's parsed table is kept and the most
columns it may have."""

from __future__ import annotations

from pathlib import Path

from designer.data.arrays import max_classes
from designer.data.cache_settings import memory_and_cache
from designer.data.files import existing_path
from designer.data.settings import Section
from designer.data.source_choice import SourceChoice
from designer.runtime.csv_reading import MAX_COLUMNS
from designer.runtime.csv_tables import CsvTable

TASKS = ("auto", "classes", "regression")
NOT_DELIMITERS = {'"': "the quote character", "\n": "a line break", "\r": "a line break"}
HIGHEST_MAX_COLUMNS = 100_000_000


def csv_table(section: Section, base: Path | None) -> SourceChoice:
    """Columns default to the last as the target and every other as a feature."""
    path = existing_path(section, "path", base)
    delimiter, max_columns = csv_options(section)
    target = section.text("target") if section.raw("target", None) is not None else None
    features = None
    if section.raw("features", None) is not None:
        features = tuple(section.texts("features"))
    task = section.choice("task", "auto", TASKS)
    budget, cache = memory_and_cache(section, base)
    source = CsvTable(
        str(path.resolve()),
        delimiter,
        target,
        features,
        task,
        budget,
        cache,
        max_columns,
        max_classes(section),
    )
    return SourceChoice(source, section.boolean("standardize", True))


def csv_options(section: Section) -> tuple[str, int]:
    """The delimiter (one character that can part cells) and the most columns a file may
    have (dataset.max_columns)."""
    delimiter = section.text("delimiter", ",")
    if len(delimiter) != 1:
        raise section.fail("delimiter", f"must be one character, got {delimiter!r}")
    if delimiter in NOT_DELIMITERS:
        what = NOT_DELIMITERS[delimiter]
        raise section.fail("delimiter", f"cannot be {what}, got {delimiter!r}")
    max_columns = section.integer(
        "max_columns", MAX_COLUMNS, minimum=1, maximum=HIGHEST_MAX_COLUMNS
    )
    return delimiter, max_columns
