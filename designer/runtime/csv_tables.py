"""CSV files: chosen feature and target columns, text targets mapped to classes; parsed
a chunk at a time, and kept in memory within a budget, else memory-mapped from a file
(in the cache folder, where later runs read it instead of parsing again)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from designer.runtime.csv_reading import MAX_COLUMNS, CsvFile, is_number, numbers
from designer.runtime.dataset import MAX_CLASSES, Dataset, class_task
from designer.runtime.errors import DataError
from designer.runtime.memory_budget import memory_budget
from designer.runtime.table_cache import StoredTable, TableWriter, Targets, open_table
from designer.runtime.table_rows import TableRows

TABLE_FORMAT = 1  # the cached table's layout; a change makes new entries
CACHE_FROM = 16 << 20  # bytes of CSV from which a parsed table is worth keeping


@dataclass(frozen=True)
class CsvTable:
    """A CSV file with a header: `features` (default: every column but the target) as
    float32, and the `target` column (default: the last) as classes or values. With task
    "auto", a target column of numbers is regression and one of texts holds classes.
    Features are held in memory when they fit `memory_budget` MiB (0: automatic), else
    memory-mapped; a large file's parsed table is kept in the folder `cache` ("":
    none, parse every run). A file of more than `max_columns` columns is refused, and
    a target of texts with more than `max_classes` different values."""

    path: str
    delimiter: str
    target: str | None
    features: tuple[str, ...] | None
    task: str
    memory_budget: int = 0
    cache: str = ""
    max_columns: int = MAX_COLUMNS
    max_classes: int = MAX_CLASSES

    def load(self) -> Dataset:
        path = Path(self.path)
        file = CsvFile(path, self.delimiter, self.max_columns)
        target, features = self.columns(file.header)
        folder, key = self.cache_place(path, features, target)
        stored = None if folder is None else open_table(folder, key, len(features))
        budget = memory_budget(self.memory_budget)
        if stored is None:
            spill = Path(self.cache) if self.cache else None
            writer = TableWriter(folder, key, budget, spill)
            stored = self.parse(file, features, target, writer)
        values, targets = stored.values, stored.targets
        if values.nbytes <= budget:
            # A mapped table is read into memory (and unmapped); one in memory stays.
            x = torch.from_numpy(values if values.flags.writeable else np.array(values))
        else:
            x = TableRows(values, np.arange(len(values)))
        y = torch.from_numpy(targets.y)
        return Dataset(path.stem, x, y, targets.task, targets.class_names)

    def columns(self, header: list[str]) -> tuple[str, list[str]]:
        """The target column and the feature columns, checked against the header."""
        target = self.target if self.target is not None else header[-1]
        check_columns(header, [target], "dataset.target", self.path)
        features = self.features
        if features is None:
            features = [name for name in header if name != target]
        check_columns(header, features, "dataset.features", self.path)
        if target in features:
            message = f"the target column {target!r} is also a feature"
            raise DataError(message, "dataset.features")
        if not features:
            raise DataError("no feature columns are left", "dataset.features")
        return target, list(features)

    def cache_place(
        self, path: Path, features: list[str], target: str
    ) -> tuple[Path | None, str]:
        """The cache folder (None: a large file's table is not kept) and the key naming
        this table there: the file's path, size and time, and how it is read."""
        status = path.stat()
        digest = hashlib.sha256()
        what = (TABLE_FORMAT, str(path), status.st_size, status.st_mtime_ns)
        how = (self.delimiter, features, target, self.task)
        digest.update(repr((*what, *how)).encode())
        keep = self.cache and status.st_size >= CACHE_FROM
        return (Path(self.cache) if keep else None), digest.hexdigest()

    def parse(
        self, file: CsvFile, features: list[str], target: str, writer: TableWriter
    ) -> StoredTable:
        position = {name: index for index, name in enumerate(file.header)}
        columns = [position[name] for name in features]
        column = position[target]
        reading = TargetReading(self.task, target, file.path, self.max_classes)
        try:
            for chunk in file.chunks():
                writer.write(numbers(chunk, columns, features, file.path, np.float32))
                reading.add(chunk, column)
            if not reading.count:
                raise DataError(f"{file.path} has a header but no rows")
            targets = reading.targets()
        except BaseException:
            writer.discard()
            raise
        return writer.finish(len(features), targets)


class TargetReading:
    """A target column read a chunk at a time: as numbers while every value is one, and
    as codes of its distinct values while there are few enough for classes."""

    def __init__(
        self, task: str, name: str, path: Path, max_classes: int = MAX_CLASSES
    ) -> None:
        self.task, self.name, self.path, self.count = task, name, path, 0
        self.max_classes = max_classes
        self.values: list[np.ndarray] | None = [] if task != "classes" else None
        self.codes: list[np.ndarray] | None = [] if task != "regression" else None
        self.index: dict[str, int] = {}
        self.not_finite = ""  # the first number that is not finite, and where

    def add(self, chunk, column: int) -> None:
        self.count += len(chunk.rows)
        if self.task == "regression":
            self.values.append(
                numbers(chunk, [column], [self.name], self.path, np.float32)
            )
            return
        texts = chunk.column(column)
        if self.values is not None:
            if all(map(is_number, texts)):
                values = np.array(texts, dtype=np.float64)
                self.values.append(values)
                # Finite as float32 (the targets' type): 1e39 is too large.
                with np.errstate(over="ignore"):
                    narrowed = values.astype(np.float32)
                wrong = np.flatnonzero(~np.isfinite(narrowed))
                if len(wrong) and not self.not_finite:
                    row = int(wrong[0])
                    self.not_finite = (
                        f"{self.path} line {chunk.lines[row]}, column {self.name!r}: "
                        f"{texts[row]!r} is not a number float32 can hold"
                    )
            else:
                self.values = None
        if self.codes is not None:
            index = self.index
            codes = [index.setdefault(text, len(index)) for text in texts]
            self.codes.append(np.array(codes, dtype=np.int64))
            if len(index) > self.max_classes:
                self.codes = None
        if self.codes is None and self.values is None:
            raise self.too_many_classes()  # no need to read on

    def too_many_classes(self) -> DataError:
        return DataError(
            f"{self.path}: column {self.name!r} has more than {self.max_classes:,} "
            "different values, too many for classes: raise dataset.max_classes, or set "
            "dataset.task to regression",
            "dataset.max_classes",
        )

    def targets(self) -> Targets:
        numeric = self.task == "auto" and self.values is not None
        if self.task == "regression" or numeric:
            if self.not_finite:
                raise DataError(self.not_finite)
            values = np.concatenate(self.values).astype(np.float32)
            return Targets(values.reshape(-1, 1), "regression", ())
        if self.codes is None:
            raise self.too_many_classes()
        names = sorted(self.index, key=class_order)
        if len(names) < 2:
            raise DataError(
                f"column {self.name!r} has only one value ({names[0]!r}); classes need "
                "two or more",
                "dataset.target",
            )
        order = np.empty(len(names), dtype=np.int64)
        for number, name in enumerate(names):
            order[self.index[name]] = number
        labels = order[np.concatenate(self.codes)]
        return Targets(labels, class_task(len(names)), tuple(names))


def check_columns(
    header: list[str], names: list[str] | tuple[str, ...], place: str, path: str
) -> None:
    known = set(header)
    for name in names:
        if name not in known:
            shown = ", ".join(map(shortened, header[:20]))
            shown += ", ..." if len(header) > 20 else ""
            missing = f"no column {shortened(name)!r} in {Path(path).name}"
            raise DataError(f"{missing} (columns: {shown})", place)


def shortened(name: str, length: int = 40) -> str:
    """`name`, or its start and "..." where it is longer than `length` (a header read
    with the wrong delimiter is one column of every name)."""
    return name if len(name) <= length else name[: length - 3] + "..."


def class_order(name: str) -> tuple[int, float, str]:
    """Numbers in numeric order, then texts alphabetically: '2' before '10'."""
    return (0, float(name), name) if is_number(name) else (1, 0.0, name)
