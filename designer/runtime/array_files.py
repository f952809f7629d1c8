""".npy arrays, alone or in an .npz archive, read header first: what a header promises
(type, shape, bytes) is checked against the file and the free memory before anything is
allocated, and arrays of Python objects are never unpickled."""

from __future__ import annotations

import math
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.lib import format as npy_format

from designer.runtime.errors import DataError
from designer.runtime.memory_budget import available_memory
from designer.runtime.regular_files import regular_size

HEADER_READERS = {
    (1, 0): npy_format.read_array_header_1_0,
    (2, 0): npy_format.read_array_header_2_0,
}
# What zipfile and zlib raise on a damaged, encrypted or oddly compressed archive.
ARCHIVE_ERRORS = (
    OSError,
    EOFError,
    ValueError,
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
)


@dataclass(frozen=True)
class ArrayHeader:
    """What an .npy header promises; `name` is how messages name the array."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def count(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.count * self.dtype.itemsize

    @property
    def training_bytes(self) -> int:
        """The array and the copy training makes of it (int64 or float32 values)."""
        return self.nbytes + self.count * (8 if self.dtype.kind in "biu" else 4)

    def describe(self) -> str:
        shape = "x".join(map(str, self.shape)) or "scalar"
        return f"{shape} values of {self.dtype} ({in_units(self.nbytes)})"


def in_units(size: int) -> str:
    """A size in bytes in the largest unit under it, as 1.46 TiB."""
    for unit, shift in (("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):.2f} {unit}"
    return f"{size} bytes"


def read_header(stream: BinaryIO, name: str, stored: int) -> ArrayHeader:
    """The header at the start of `stream`, which holds `stored` bytes in all; the
    stream is left at the first byte of data."""
    try:
        version = npy_format.read_magic(stream)
        reader = HEADER_READERS.get(version)
        if reader is None:
            number = f"{version[0]}.{version[1]}"
            raise DataError(
                f"{name} is an .npy file of version {number}, which is not read; save "
                "it with numpy.save"
            )
        shape, _, dtype = reader(stream)
    except ARCHIVE_ERRORS as error:
        raise DataError(f"{name} is not a readable .npy file ({error})") from None
    if dtype.hasobject:
        raise DataError(
            f"{name} holds Python objects ({dtype}), which are never unpickled: save "
            "an array of numbers"
        )
    header = ArrayHeader(name, tuple(shape), dtype)
    held = stored - stream.tell()
    if held < header.nbytes:
        raise DataError(
            f"{name} is cut short: its header promises {header.describe()}, but "
            f"{max(held, 0):,} bytes follow it"
        )
    return header


def check_room(headers: list[ArrayHeader]) -> None:
    """DataError when the arrays and their copies for training need more memory than
    is free."""
    free = available_memory()
    need = sum(header.training_bytes for header in headers)
    if free is not None and need > free:
        arrays = "; ".join(f"{header.name}: {header.describe()}" for header in headers)
        raise DataError(
            f"{arrays}: with the copies training makes that needs about "
            f"{in_units(need)}, but {in_units(free)} of memory is free"
        )


def load_npy(path: Path) -> np.ndarray:
    """The array in the .npy file `path`, checked before it is read."""
    size = regular_size(path)
    try:
        with path.open("rb") as stream:
            check_room([read_header(stream, str(path), size)])
            stream.seek(0)
            return npy_format.read_array(stream, allow_pickle=False)
    except ARCHIVE_ERRORS as error:
        raise DataError(f"{path} is not a readable .npy file ({error})") from None


def load_npz(path: Path, keys: dict[str, str]) -> dict[str, np.ndarray]:
    """The arrays `keys` names (array name -> the setting that names it) from the .npz
    file `path`, every header checked before any array is read."""
    regular_size(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = {
                info.filename.removesuffix(".npy"): info for info in archive.infolist()
            }
            for key, setting in keys.items():
                if key not in members:
                    found = ", ".join(members) or "none"
                    message = f"{path.name} has no array {key!r} (arrays: {found})"
                    raise DataError(message, f"dataset.{setting}")
            headers = []
            for key in keys:
                with archive.open(members[key]) as stream:
                    name = f"{path}, array {key!r}"
                    headers.append(read_header(stream, name, members[key].file_size))
            check_room(headers)
            arrays = {}
            for key in keys:
                with archive.open(members[key]) as stream:
                    arrays[key] = npy_format.read_array(stream, allow_pickle=False)
            return arrays
    except ARCHIVE_ERRORS as error:
        raise DataError(f"{path} is not a readable .npz file ({error})") from None
