"""Finding the data files a dataset section names, relative to the project file."""

from __future__ import annotations

from pathlib import Path

from designer.data.settings import Section
from designer.runtime.errors import DataError


def existing_path(section: Section, key: str, base: Path | None, folder: bool = False) -> Path:
    """The file (or folder) at setting `key`; relative paths start at the project's folder."""
    path = Path(section.text(key))
    if not path.is_absolute() and base is not None:
        path = base / path
    kind = "folder" if folder else "file"
    if not path.exists():
        raise DataError(f"{kind} not found: {path}", section.where(key))
    if folder and not path.is_dir():
        raise DataError(
            f"{path} is a file; give the folder that holds one folder per class", section.where(key)
        )
    if not folder and path.is_dir():
        raise DataError(f"{path} is a folder, not a file", section.where(key))
    if not folder and not path.is_file():
        raise DataError(
            f"{path} is not a regular file (a named pipe, device or socket is never read)",
            section.where(key),
        )
    return path
