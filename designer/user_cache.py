"""NetDesigner's folder in the user's cache (XDG_CACHE_HOME, else ~/.cache)."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache() -> Path:
    """NetDesigner's folder in the user's cache (XDG_CACHE_HOME, else ~/.cache)."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "netdesigner"
