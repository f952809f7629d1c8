"""Data files are read only when they are regular files: a named pipe would block a read
for ever, and a device (/dev/zero) would never end."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from designer.runtime.errors import DataError
from designer.runtime.files import kind_of


def regular_size(path: Path) -> int:
    """The size of the regular file `path` (a link is followed); DataError for anything
    else, which could block a read for ever (a named pipe) or never end (a device)."""
    try:
        status = os.stat(path)
    except OSError as error:
        raise DataError(f"cannot read {path} ({error.strerror})") from None
    if not stat.S_ISREG(status.st_mode):
        raise DataError(f"{path} is {kind_of(status.st_mode)}, not a regular file")
    if not status.st_size:
        raise DataError(f"{path} is empty (0 bytes)")
    return status.st_size
