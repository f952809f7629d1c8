"""A project file about to be written, checked before the work that makes it: its folder is
there and writable, and the name is free (or a regular file that may be replaced)."""

from __future__ import annotations

import os
from pathlib import Path

from designer.project.project import ProjectError


def check_output_file(path: Path, replace: bool) -> None:
    """ProjectError (naming `path`) unless a project file can be written there: a missing or
    read-only folder, a folder, device, FIFO or socket at the path, or a file that is there
    already unless `replace` (--force)."""
    folder = path.absolute().parent
    if not folder.is_dir():
        problem = "does not exist" if not folder.exists() else "is not a folder"
        raise ProjectError(str(path), f"cannot be written: the folder {folder} {problem}")
    if path.is_dir():
        raise ProjectError(str(path), "is a folder; give the project file's name in it")
    if path.exists() and not path.is_file():
        raise ProjectError(
            str(path), "is not a regular file (a device, FIFO or socket); name a project file"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ProjectError(str(path), f"cannot be written: the folder {folder} is read-only")
    if path.exists() and not replace:
        raise ProjectError(str(path), "exists already; choose another name or add --force")
