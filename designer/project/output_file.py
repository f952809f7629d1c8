"""A project file about to be written, checked before the work that makes it: only a regular
file or nothing is at the path, its folder is there and writable, and the name is free (or may
be replaced)."""

from __future__ import annotations

import os
from pathlib import Path

from designer.project.project import ProjectError
from designer.runtime.files import writable_target


def check_output_file(path: Path, replace: bool) -> None:
    """OutputRefused (an OSError naming `path`) for a device, FIFO, socket or folder at the
    path, or a folder that does not exist; ProjectError (naming `path`) for a read-only
    folder, or a file that is there already unless `replace` (--force)."""
    target = writable_target(path)
    folder = target.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ProjectError(str(path), f"cannot be written: the folder {folder} is read-only")
    if target.exists() and not replace:
        raise ProjectError(str(path), "exists already; choose another name or add --force")
