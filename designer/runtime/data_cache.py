"""The data cache folder's upkeep: each entry (a pixel file, a table folder) is marked
when used, and making a new one removes those used longest ago beyond a size limit,
and partial ones a killed run left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

LIMIT = 32 << 30  # bytes the folder keeps at most (the entry being made always stays)
PARTIAL_AGE = 3600.0  # seconds after which a partial entry is a killed run's
ENTRY_SUFFIXES = (".pixels", ".table")


def mark_used(path: Path) -> None:
    """Note that `path` is in use (its time of last change is now)."""
    with contextlib.suppress(OSError):  # a cache on a read-only disk is still read
        os.utime(path)


def make_room(folder: Path, keep: Path, limit: int = LIMIT) -> None:
    """Remove the entries of `folder` used longest ago until they take `limit` bytes at
    most with `keep` (the one being made); and partial entries of killed runs."""
    entries, now = [], time.time()
    for path in folder.iterdir():
        if path == keep:
            continue
        try:
            status = path.lstat()
        except OSError:
            continue
        if path.name.startswith(".") and path.name.endswith(".partial"):
            if now - last_change(path, status.st_mtime) > PARTIAL_AGE:
                remove(path)
        elif path.suffix in ENTRY_SUFFIXES:
            entries.append((status.st_mtime, size_of(path), path))
    total = size_of(keep) + sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        remove(path)
        total -= size


def last_change(path: Path, own: float) -> float:
    """When a partial entry last changed: a folder's files change, not the folder, while
    a run writes into it."""
    try:
        children = list(path.iterdir()) if path.is_dir() else []
        return max([own, *(child.stat().st_mtime for child in children)])
    except OSError:
        return own


def size_of(path: Path) -> int:
    """Bytes taken on disk by a file, or by the files of a folder."""
    try:
        if path.is_dir() and not path.is_symlink():
            return sum(size_of(child) for child in path.iterdir())
        return path.lstat().st_blocks * 512
    except OSError:
        return 0


def remove(path: Path) -> None:
    """Remove an entry; one another process removed already is gone all the same. A
    run still reading it keeps its open mapping."""
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
