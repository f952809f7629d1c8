"""A CSV file read a chunk of rows at a time: its header, then rows of cells with the
line each starts on, so that memory holds one chunk however long the file is."""

from __future__ import annotations

import csv
import operator
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from designer.runtime.errors import DataError
from designer.runtime.regular_files import regular_size

CHUNK_CELLS = 1 << 20  # cells parsed at a time
MAX_COLUMNS = 100_000  # the usual limit on a file's columns (dataset.max_columns)


@dataclass
class Chunk:
    """Rows of cells (with the spaces around them), each as wide as the header, and
    their line numbers."""

    rows: list[list[str]]
    lines: list[int]

    def column(self, index: int) -> list[str]:
        """A column's cells, stripped."""
        return [row[index].strip() for row in self.rows]


class CsvFile:
    """The header (names stripped) and rows of a CSV file, read in chunks; blank lines
    are passed over, and a row of another width than the header is an error, as is a
    header of more than `max_columns` columns."""

    def __init__(
        self, path: Path, delimiter: str, max_columns: int = MAX_COLUMNS
    ) -> None:
        self.path, self.delimiter = path, delimiter
        regular_size(path)
        first = next(self._numbered(), (0, []))[1]
        self.header: list[str] = [name.strip() for name in first]
        if not self.header:
            raise DataError(f"{path} is empty")
        if len(self.header) > max_columns:
            raise DataError(
                f"{path} has {len(self.header):,} columns, more than the limit of "
                f"{max_columns:,}; raise dataset.max_columns to read it",
                "dataset.max_columns",
            )
        repeated = [name for name, count in Counter(self.header).items() if count > 1]
        if repeated:
            raise DataError(f"{path}: column {repeated[0]!r} appears twice")

    def chunks(self) -> Iterator[Chunk]:
        width = len(self.header)
        size = max(1, CHUNK_CELLS // width)
        chunk = Chunk([], [])
        numbered = self._numbered()
        next(numbered)  # the header
        for line, row in numbered:
            if len(row) != width:
                raise DataError(
                    f"{self.path} line {line}: {len(row)} values but the header has "
                    f"{width} columns (ragged row)"
                )
            chunk.rows.append(row)
            chunk.lines.append(line)
            if len(chunk.rows) == size:
                yield chunk
                chunk = Chunk([], [])
        if chunk.rows:
            yield chunk

    def _numbered(self) -> Iterator[tuple[int, list[str]]]:
        """Each row that holds something, with the line it starts on."""
        try:
            with self.path.open(newline="", encoding="utf-8-sig") as stream:
                reader = csv.reader(stream, delimiter=self.delimiter)
                line = 1
                for row in reader:
                    # The first cell decides most rows without a loop.
                    if row and (row[0].strip() or any(map(str.strip, row))):
                        yield line, row
                    line = reader.line_num + 1
        except UnicodeDecodeError:
            where = f"from about line {line}"
            raise DataError(f"{self.path} is not UTF-8 text ({where})") from None
        except csv.Error as error:
            raise DataError(
                f"{self.path} is not a readable CSV file ({error})"
            ) from None


def numbers(
    chunk: Chunk, columns: list[int], names: list[str], path: Path, dtype: type
) -> np.ndarray:
    """The chunk's `columns` (named `names`) as numbers of `dtype`; the first cell that
    is not a finite number is an error naming its line and column."""
    pick = operator.itemgetter(*columns)
    if len(columns) == 1:
        cells = [[pick(row)] for row in chunk.rows]
    else:
        cells = [pick(row) for row in chunk.rows]
    try:  # numpy reads numbers as Python does, spaces around them allowed
        with np.errstate(over="ignore"):  # too large: inf, found below
            values = np.array(cells, dtype=dtype)
        values = values.reshape(len(chunk.rows), len(columns))
    except ValueError:
        values = None
    if values is not None and np.isfinite(values).all():
        return values
    # Cell by cell as Python reads numbers, to name the first one that is no number.
    values = np.empty((len(chunk.rows), len(columns)), dtype=dtype)
    for position, (row, line) in enumerate(zip(chunk.rows, chunk.lines, strict=True)):
        for slot, (index, name) in enumerate(zip(columns, names, strict=True)):
            cell = row[index].strip()
            if not is_finite_number(cell):
                what = "the value is empty" if not cell else f"{cell!r} is not a number"
                raise DataError(f"{path} line {line}, column {name!r}: {what}")
            with np.errstate(over="ignore"):
                values[position, slot] = float(cell)
            if not np.isfinite(values[position, slot]):
                what = f"{cell!r} is beyond the range of {np.dtype(dtype).name}"
                raise DataError(f"{path} line {line}, column {name!r}: {what}")
    return values


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def is_finite_number(text: str) -> bool:
    return is_number(text) and np.isfinite(float(text))
