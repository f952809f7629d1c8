"""Settings of the standard image sets (MNIST, Fashion-MNIST, KMNIST, CIFAR-10, CIFAR-100):
the folder they are kept in and whether a missing set may be downloaded."""

from __future__ import annotations

from pathlib import Path

from designer.data.settings import Section
from designer.data.source_choice import SourceChoice
from designer.runtime.errors import DataError
from designer.runtime.standard_sets import STANDARD_SETS, StandardImages
from designer.user_cache import user_cache

SOURCE_NAMES = tuple(STANDARD_SETS)


def default_root() -> Path:
    """Where the sets are kept unless a project says: the user's cache, shared by projects."""
    return user_cache() / "datasets"


def standard_images(name: str, section: Section, base: Path | None) -> SourceChoice:
    """`root` (relative paths start at the project's folder; default: default_root())."""
    root = default_root()
    if section.raw("root", None) is not None:
        root = Path(section.text("root"))
        if not root.is_absolute() and base is not None:
            root = base / root
    if root.exists() and not root.is_dir():
        raise DataError(f"{root} is a file; give a folder for the data sets", section.where("root"))
    download = section.boolean("download", True)
    return SourceChoice(StandardImages(name, str(root.resolve()), download))
