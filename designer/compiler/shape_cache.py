"""The results of layer probes kept in a file between runs, so that layers seen before need
no torch: one JSON object, read once, merged with what other processes wrote and replaced
atomically at exit."""

from __future__ import annotations

import atexit
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from designer.runtime.files import write_atomically
from designer.user_cache import user_cache

FOLDER_VARIABLE = "NETDESIGNER_SHAPE_CACHE_DIR"  # where the file goes instead of the default
FILE_NAME = "shapes.json"
FORMAT = 1  # a file of another format is ignored, and replaced by the next save
LIMIT = 20_000  # results kept; the oldest go first (a result is about 200 bytes)


def cache_file() -> Path:
    """The file: in the folder FOLDER_VARIABLE names, else in NetDesigner's user cache."""
    folder = os.environ.get(FOLDER_VARIABLE)
    return (Path(folder) if folder else user_cache()) / FILE_NAME


@cache
def shape_cache_at(path: Path) -> ShapeCache:
    """The cache of the file at `path`, one per process."""
    return ShapeCache(path)


class ShapeCache:
    """Results by key (any string that names every input of the computation). A file that
    cannot be read, is not JSON or has another format counts as empty; a save that cannot
    be written is dropped. Neither is worth a word to the user: a miss costs only time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored: dict[str, Any] | None = None
        self._added: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        """The result stored under `key`, or None."""
        if key in self._added:
            return self._added[key]
        if self._stored is None:
            self._stored = read_results(self.path)
        return self._stored.get(key)

    def put(self, key: str, result: Any) -> None:
        """Keep `result` under `key`; written at exit (or by `save`)."""
        if not self._added:
            atexit.register(self.save)
        self._added[key] = result

    def save(self) -> None:
        """Merge the new results into the file as it is now (another process may have written
        it since it was read), keep the newest LIMIT and replace the file in one step."""
        if not self._added:
            return
        results = read_results(self.path)
        for key, result in self._added.items():
            results.pop(key, None)  # re-inserted last: the newest
            results[key] = result
        kept = dict(list(results.items())[-LIMIT:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps({"format": FORMAT, "results": kept}))
        except OSError:
            return
        self._stored, self._added = kept, {}


def read_results(path: Path) -> dict[str, Any]:
    """The results in the file at `path`; empty where there is none that this code wrote."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # missing, unreadable, not UTF-8 or JSON
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    results = data.get("results")
    return results if isinstance(results, dict) else {}
