"""Decoded uint8 pixels of a list of image files, filled as each image is first read:
in memory shared with the loader's worker processes, or in a memory-mapped cache file
that later epochs and later runs read instead of decoding again."""

from __future__ import annotations

import errno
import mmap
import os
import stat
import sys
import tempfile
from pathlib import Path

import numpy as np

from designer.runtime.data_cache import make_room, mark_used
from designer.runtime.errors import DataError

# Whether a store in memory reaches worker processes: by fork, which only Linux does
# safely (macOS forks badly once frameworks have started; Windows does not fork).
SHARED_BY_FORK = sys.platform.startswith("linux")


class PixelStore:
    """`count` samples of `shape` (channels, height, width) after one flag byte per
    sample (1: that sample's pixels are there). Kept in an anonymous shared mapping
    (inherited by forked workers) or in the file `path`."""

    def __init__(self, count: int, shape: tuple[int, ...], path: Path | None) -> None:
        self.count, self.shape, self.path = count, tuple(shape), path
        self.sample_bytes = int(np.prod(self.shape))
        self.size = count * (1 + self.sample_bytes)
        self._open()

    def _open(self) -> None:
        if self.path is None:
            self.buffer = mmap.mmap(-1, max(1, self.size), flags=mmap.MAP_SHARED)
        else:
            try:
                with open(self.path, "r+b") as file:
                    self.buffer = mmap.mmap(file.fileno(), self.size)
            except (OSError, ValueError) as error:
                raise DataError(
                    f"cannot open the pixel cache {self.path} ({error}); turn the "
                    "cache off or remove the file"
                ) from None
        whole = np.frombuffer(self.buffer, np.uint8, self.size)
        self.filled = whole[: self.count]
        self.pixels = whole[self.count :].reshape(self.count, *self.shape)

    def __getstate__(self) -> dict:
        """A process started without fork maps the cache file again; memory shared by
        the mapping cannot travel that way."""
        if self.path is None:
            raise TypeError("an in-memory pixel store reaches worker processes by fork")
        return {"count": self.count, "shape": self.shape, "path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["count"], state["shape"], state["path"])

    def read(self, index: int) -> np.ndarray | None:
        """The pixels of sample `index`, or None when they are not there yet."""
        return self.pixels[index] if self.filled[index] else None

    def write(self, index: int, pixels: np.ndarray) -> None:
        """Store a decoded sample; its flag is set after its pixels."""
        self.pixels[index] = pixels
        self.filled[index] = 1

    def complete(self, rows: np.ndarray) -> bool:
        return bool(self.filled[rows].all())


def cache_file(folder: Path, key: str, count: int, shape: tuple[int, ...]) -> Path:
    """The cache file of `key` in `folder`, made (its space reserved) when missing or of
    another size; DataError when it cannot be, or when something else has its name."""
    path = folder / f"{key}.pixels"
    size = count * (1 + int(np.prod(shape)))
    try:
        found = path.lstat()
    except FileNotFoundError:
        found = None
    except OSError as error:
        raise DataError(f"cannot read the pixel cache {path} ({error})") from None
    if found is not None:
        if not stat.S_ISREG(found.st_mode):
            raise DataError(
                f"{path} is not a pixel cache file; move it away or turn the cache off"
            )
        if found.st_size == size:
            mark_used(path)
            return path
    new = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(".partial", f".{key}.", folder)
        new = Path(name)
        try:  # space reserved now: a full disk would kill a process writing a mapping
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(descriptor, 0, max(1, size))
            else:
                os.ftruncate(descriptor, size)
        finally:
            os.close(descriptor)
        make_room(folder, keep=new)
        os.replace(new, path)
    except OSError as error:
        if new is not None:
            new.unlink(missing_ok=True)
        advice = (
            "free some space there"
            if error.errno in (errno.ENOSPC, errno.EDQUOT)
            else "choose a folder you can write"
        )
        raise DataError(
            f"no pixel cache of {size / 2**30:.2f} GiB in {folder} ({error.strerror}): "
            f"{advice}, or turn the cache off"
        ) from None
    return path
