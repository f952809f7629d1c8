"""Settings of an image folder in the usual layout, one subfolder per class: the size and
colour images take, the memory their pixels may fill and whether a cache file keeps
those beyond it."""

from __future__ import annotations

from pathlib import Path

from designer.data.files import existing_path
from designer.data.settings import Section
from designer.data.source_choice import SourceChoice
from designer.data.standard import user_cache
from designer.runtime.errors import DataError
from designer.runtime.image_folders import ImageFolder

COLORS = ("grayscale", "rgb")
MAX_BUDGET = 1 << 20  # MiB: a terabyte


def image_folder(section: Section, base: Path | None) -> SourceChoice:
    """Images resized to image_size (height, width), channels first (uint8 pixels, fed as
    float 0..1); memory_budget in MiB (0: automatic); cache: whether pixels beyond the
    budget are kept in a file beside the runs (see pixel_cache_folder)."""
    root = existing_path(section, "path", base, folder=True)
    size = image_size(section)
    color = section.choice("color", "grayscale", COLORS)
    budget = section.integer("memory_budget", 0, minimum=0, maximum=MAX_BUDGET)
    cache = str(pixel_cache_folder(base)) if section.boolean("cache", True) else ""
    return SourceChoice(ImageFolder(str(root.resolve()), size, color, budget, cache))


def pixel_cache_folder(base: Path | None) -> Path:
    """Beside a saved project's runs (runs/.pixel-cache, shared by the projects of that
    folder); for an unsaved one, in the user's cache."""
    if base is None:
        return user_cache() / "pixels"
    return base / "runs" / ".pixel-cache"


def image_size(section: Section) -> tuple[int, int]:
    value = section.raw("image_size", [32, 32])
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    valid = isinstance(value, list) and len(value) == 2
    if not valid or not all(
        isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4096 for v in value
    ):
        raise DataError(
            f"must be a size like 32 or [height, width] from 1 to 4096, got {value!r}",
            section.where("image_size"),
        )
    return value[0], value[1]
