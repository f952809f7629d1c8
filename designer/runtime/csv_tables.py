"""CSV files: chosen feature and target columns, text targets mapped to classes."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from designer.runtime.dataset import Dataset, class_task
from designer.runtime.errors import DataError

MAX_CLASSES = 10_000


@dataclass(frozen=True)
class CsvTable:
    """A CSV file with a header: `features` (default: every column but the target) as
    float32, and the `target` column (default: the last) as classes or values. With task
    "auto", a target column of numbers is regression and one of texts holds classes."""

    path: str
    delimiter: str
    target: str | None
    features: tuple[str, ...] | None
    task: str

    def load(self) -> Dataset:
        table = read_table(Path(self.path), self.delimiter)
        target = self.target if self.target is not None else table.header[-1]
        check_columns(table, [target], "dataset.target")
        features = self.features
        if features is None:
            features = tuple(name for name in table.header if name != target)
        check_columns(table, features, "dataset.features")
        if target in features:
            message = f"the target column {target!r} is also a feature"
            raise DataError(message, "dataset.features")
        if not features:
            raise DataError("no feature columns are left", "dataset.features")
        x = torch.from_numpy(table.numbers(features))
        values = table.column(target)
        name = table.path.stem
        if self.task == "regression" or (
            self.task == "auto" and all(map(is_number, values))
        ):
            return Dataset(
                name, x, torch.from_numpy(table.numbers([target])), "regression"
            )
        names = sorted(set(values), key=class_order)
        if len(names) > MAX_CLASSES:
            raise DataError(
                f"column {target!r} has {len(names)} different values, too many for "
                "classes; set task to regression",
                "dataset.target",
            )
        if len(names) < 2:
            raise DataError(
                f"column {target!r} has only one value ({names[0]!r}); classes need "
                "two or more",
                "dataset.target",
            )
        index = {name: number for number, name in enumerate(names)}
        labels = torch.tensor([index[value] for value in values], dtype=torch.long)
        return Dataset(name, x, labels, class_task(len(names)), tuple(names))


@dataclass
class Table:
    """A CSV file's header and rows; `lines` holds each row's line number."""

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]

    def column(self, name: str) -> list[str]:
        index = self.header.index(name)
        return [row[index] for row in self.rows]

    def numbers(self, names: tuple[str, ...] | list[str]) -> np.ndarray:
        """The columns as float32; the first cell that is not a finite number is an
        error."""
        out = np.empty((len(self.rows), len(names)), dtype=np.float32)
        for position, name in enumerate(names):
            for row, cell in enumerate(self.column(name)):
                try:
                    value = float(cell)
                except ValueError:
                    value = float("nan")
                if not np.isfinite(value):
                    what = (
                        "the value is empty"
                        if not cell
                        else f"{cell!r} is not a number"
                    )
                    raise DataError(
                        f"{self.path} line {self.lines[row]}, column {name!r}: {what}"
                    )
                out[row, position] = value
        return out


def read_table(path: Path, delimiter: str) -> Table:
    """Header and rows, cells stripped; blank lines skipped; a row of another width is
    an error."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            lines = list(csv.reader(stream, delimiter=delimiter))
    except UnicodeDecodeError as error:
        raise DataError(f"{path} is not UTF-8 text (byte {error.start})") from None
    except csv.Error as error:
        raise DataError(f"{path} is not a readable CSV file ({error})") from None
    numbered = [
        (number, [cell.strip() for cell in line])
        for number, line in enumerate(lines, 1)
        if any(cell.strip() for cell in line)
    ]
    if not numbered:
        raise DataError(f"{path} is empty")
    (header_line, header), body = numbered[0], numbered[1:]
    for name in header:
        if header.count(name) > 1:
            raise DataError(f"{path} line {header_line}: column {name!r} appears twice")
    if not body:
        raise DataError(f"{path} has a header but no rows")
    for number, row in body:
        if len(row) != len(header):
            raise DataError(
                f"{path} line {number}: {len(row)} values but the header has "
                f"{len(header)} columns (ragged row)"
            )
    return Table(path, header, [row for _, row in body], [number for number, _ in body])


def check_columns(table: Table, names: tuple[str, ...] | list[str], place: str) -> None:
    for name in names:
        if name not in table.header:
            columns = ", ".join(table.header)
            raise DataError(
                f"no column {name!r} in {table.path.name} (columns: {columns})", place
            )


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def class_order(name: str) -> tuple[int, float, str]:
    """Numbers in numeric order, then texts alphabetically: '2' before '10'."""
    return (0, float(name), name) if is_number(name) else (1, 0.0, name)
