"""Parsed tables kept on disk: float32 features as a raw file to memory-map, and the
targets, task and class names beside them. A table is written in a partial folder and
renamed whole, so a killed run leaves no half table where the next one looks."""

from __future__ import annotations

import errno
import json
import mmap
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from designer.runtime.data_cache import make_room, mark_used
from designer.runtime.errors import DataError

FEATURES = "features.f32"  # the files of a stored table
TARGETS = "targets.npy"
ABOUT = "table.json"


@dataclass
class Targets:
    """A table's targets (long classes or float values), its task and class names."""

    y: np.ndarray
    task: str
    class_names: tuple[str, ...]


@dataclass
class StoredTable:
    """Parsed features (rows x width float32: in memory, or mapped read-only from a
    file) and targets."""

    values: np.ndarray
    targets: Targets


class TableWriter:
    """Where parsed features go a chunk at a time: a partial folder in the cache
    `folder` that becomes the table of `key`; or (folder None) memory while they fit
    `budget` bytes, beyond it an unnamed file in `spill` (None: the system's temporary
    folder)."""

    def __init__(
        self, folder: Path | None, key: str, budget: int, spill: Path | None
    ) -> None:
        self.folder, self.key, self.partial = folder, key, None
        self.budget, self.spill = budget, spill
        self.chunks: list[np.ndarray] = []
        self.held = 0  # bytes in chunks
        self.stream: BinaryIO | None = None
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self.partial = Path(tempfile.mkdtemp(".partial", f".{key}.", folder))
                self.stream = (self.partial / FEATURES).open("wb")
            except OSError as error:
                raise self.failure(error) from None

    def write(self, values: np.ndarray) -> None:
        values = np.ascontiguousarray(values, np.float32)
        if self.stream is None and self.held + values.nbytes <= self.budget:
            self.chunks.append(values)
            self.held += values.nbytes
            return
        try:
            if self.stream is None:  # beyond the budget: the chunks so far go first
                if self.spill is not None:
                    self.spill.mkdir(parents=True, exist_ok=True)
                self.stream = tempfile.TemporaryFile(dir=self.spill)  # noqa: SIM115
                for chunk in self.chunks:
                    self.stream.write(chunk.tobytes())
                self.chunks, self.held = [], 0
            self.stream.write(values.tobytes())
        except OSError as error:
            self.discard()
            raise self.failure(error) from None

    def finish(self, width: int, targets: Targets) -> StoredTable:
        """The table written, mapped; in the cache folder under its key."""
        if self.stream is None:
            held = self.chunks or [np.empty((0, width), np.float32)]
            return StoredTable(np.concatenate(held), targets)
        try:
            self.stream.flush()
            if self.partial is None:
                values = mapped(self.stream.fileno(), width)
                self.stream.close()
                return StoredTable(values, targets)
            os.fsync(self.stream.fileno())
            self.stream.close()
            np.save(self.partial / TARGETS, targets.y, allow_pickle=False)
            about = {"task": targets.task, "class_names": list(targets.class_names)}
            (self.partial / ABOUT).write_text(json.dumps(about))
            make_room(self.folder, keep=self.partial)
            final = table_folder(self.folder, self.key)
            if final.exists() and not is_kind(final, stat.S_ISDIR):
                self.discard()
                raise DataError(
                    f"{final} is in the way of the table cache; move it away or turn "
                    "the cache off"
                )
            try:
                os.replace(self.partial, final)
            except OSError:  # another run stored this table first: read that one
                shutil.rmtree(self.partial, ignore_errors=True)
        except OSError as error:
            self.discard()
            raise self.failure(error) from None
        found = open_table(self.folder, self.key, width)
        if found is None:
            raise DataError(f"the table cache {final} could not be read back")
        return found

    def discard(self) -> None:
        self.chunks = []
        if self.stream is not None:
            self.stream.close()
        if self.partial is not None:
            shutil.rmtree(self.partial, ignore_errors=True)

    def failure(self, error: OSError) -> DataError:
        where = self.folder or self.spill or Path(tempfile.gettempdir())
        advice = (
            "free some space there"
            if error.errno in (errno.ENOSPC, errno.EDQUOT)
            else "choose a folder you can write"
        )
        other = (
            "or turn the data cache on (dataset.cache) to keep it beside the project"
            if self.folder is None and self.spill is None
            else "or turn the cache off"
        )
        what = f"cannot keep the parsed table in {where} ({error.strerror})"
        return DataError(f"{what}: {advice}, {other}")


def table_folder(folder: Path, key: str) -> Path:
    return folder / f"{key}.table"


def open_table(folder: Path, key: str, width: int) -> StoredTable | None:
    """The table stored under `key`, or None when there is none (or only something
    else by its name, which is left alone)."""
    place = table_folder(folder, key)
    files = [place / name for name in (FEATURES, TARGETS, ABOUT)]
    if not is_kind(place, stat.S_ISDIR) or not all(
        is_kind(file, stat.S_ISREG) for file in files
    ):
        return None
    try:
        about = json.loads(files[2].read_text())
        y = np.load(files[1], allow_pickle=False)
        with files[0].open("rb") as stream:
            values = mapped(stream.fileno(), width)
    except FileNotFoundError:  # removed meanwhile by another run's upkeep: parse again
        return None
    except (OSError, ValueError) as error:
        raise DataError(
            f"cannot read the table cache {place} ({error}); remove it or turn the "
            "cache off"
        ) from None
    if len(values) != len(y):
        return None
    mark_used(place)
    targets = Targets(y, about["task"], tuple(about["class_names"]))
    return StoredTable(values, targets)


def mapped(descriptor: int, width: int) -> np.ndarray:
    """The float32 rows of `width` in the open file, mapped read-only."""
    size = os.fstat(descriptor).st_size
    if size == 0:
        return np.empty((0, width), np.float32)
    buffer = mmap.mmap(descriptor, size, access=mmap.ACCESS_READ)
    return np.frombuffer(buffer, np.float32).reshape(-1, width)


def is_kind(path: Path, kind) -> bool:
    try:
        return kind(path.lstat().st_mode)
    except OSError:
        return False
