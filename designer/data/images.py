"""Settings of an image folder in the usual layout, one subfolder per class: the size and
colour images take, the memory their pixels may fill and whether a cache file keeps
those beyond it."""

from __future__ import annotations

from pathlib import Path

from designer.data.cache_settings import memory_and_cache
from designer.data.files import existing_path
from designer.data.settings import Section
from designer.data.source_choice import SourceChoice
from designer.runtime.errors import DataError
from designer.runtime.image_folders import ImageFolder

COLORS = ("grayscale", "rgb")


def image_folder(section: Section, base: Path | None) -> SourceChoice:
    """Images resized to image_size (height, width), channels first (uint8 pixels, fed as
    float 0..1), or with resize, their shorter side scaled to it and their centre cut to
    image_size; memory_budget in MiB (0: automatic); cache: whether pixels beyond the
    budget are kept in a file beside the runs (see cache_settings)."""
    root = existing_path(section, "path", base, folder=True)
    size = image_size(section)
    color = image_color(section)
    resize = section.integer("resize", 0, minimum=0, maximum=8192)
    if resize and resize < max(size):
        raise DataError(
            f"must be 0 (resize straight to image_size) or at least image_size's larger "
            f"side, {max(size)}, to cut image_size from the centre; got {resize}",
            section.where("resize"),
        )
    budget, cache = memory_and_cache(section, base)
    return SourceChoice(ImageFolder(str(root.resolve()), size, color, budget, cache, resize))


def image_color(section: Section) -> str:
    return section.choice("color", "grayscale", COLORS)


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
