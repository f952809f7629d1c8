"""The names of a table's feature columns, as the dataset settings chose them."""

from __future__ import annotations

from pathlib import Path

from designer.data import PreparedData
from designer.runtime.builtin_sets import Diabetes, ScikitTable
from designer.runtime.csv_reading import CsvFile
from designer.runtime.csv_tables import CsvTable


def column_names(data: PreparedData) -> tuple[str, ...]:
    """A CSV file's feature columns or a scikit-learn table's features, in the order the
    network takes them; "column 1", "column 2", ... where the source names none."""
    count = data.sample_shape[0]
    names: tuple[str, ...] = ()
    source = data.source
    if isinstance(source, CsvTable):
        header = CsvFile(Path(source.path), source.delimiter, source.max_columns).header
        names = tuple(source.columns(header)[1])
    elif isinstance(source, ScikitTable | Diabetes):
        from sklearn import datasets

        name = source.name if isinstance(source, ScikitTable) else "diabetes"
        names = tuple(getattr(datasets, f"load_{name}")().feature_names)
    if len(names) != count:
        names = tuple(f"column {index}" for index in range(1, count + 1))
    return names
