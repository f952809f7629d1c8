"""Read a file the user names: only a regular file (a FIFO can block for ever and a device
never ends), and no more than a size limit."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from designer.project.project import ProjectError
from designer.runtime.files import kind_of


def regular_file_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a file ("no such file", "is a FIFO ..."), or None."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return "no such file" if not path.exists() else f"cannot be read ({error.strerror})"
    return None if stat.S_ISREG(mode) else f"is {kind_of(mode)}, not a regular file"


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of `path`; ProjectError naming it when it is missing or unreadable, is not a
    regular file, or holds more than `limit` bytes. The type is checked before the file is
    opened, and again on what was opened (without blocking), should the path change between."""
    source = str(path)
    try:
        if not stat.S_ISREG(mode := path.stat().st_mode):
            raise ProjectError(source, f"is {kind_of(mode)}, not a regular file")
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ProjectError(source, f"is {kind_of(info.st_mode)}, not a regular file")
            if info.st_size > limit:
                raise ProjectError(source, f"is larger than {limit // 2**20} MiB")
            data = file.read(limit + 1)
    except OSError as error:
        raise ProjectError(source, f"cannot be read ({error.strerror or error})") from None
    if len(data) > limit:  # it grew while it was read
        raise ProjectError(source, f"is larger than {limit // 2**20} MiB")
    return data
