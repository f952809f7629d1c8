"""Settings shared by sources too large to hold whole: the memory their decoded values
may fill, and whether those beyond it are kept in the data cache folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from designer.data.settings import Section
from designer.user_cache import user_cache

MAX_BUDGET = 1 << 20  # MiB: a terabyte
OLD_NAME = ".pixel-cache"  # removed where found: its pixels are decoded again, once


def memory_and_cache(section: Section, base: Path | None) -> tuple[int, str]:
    """memory_budget in MiB (0: automatic) and the cache folder ("": none)."""
    budget = section.integer("memory_budget", 0, minimum=0, maximum=MAX_BUDGET)
    cache = str(data_cache_folder(base)) if section.boolean("cache", True) else ""
    if base is not None:  # the folder's name before the cache kept tables too
        shutil.rmtree(base / "runs" / OLD_NAME, ignore_errors=True)
    return budget, cache


def data_cache_folder(base: Path | None) -> Path:
    """Decoded pixels and parsed tables: beside a saved project's runs
    (runs/.data-cache, shared by the projects of that folder); for an unsaved one, in
    the user's cache."""
    if base is None:
        return user_cache() / "data"
    return base / "runs" / ".data-cache"
