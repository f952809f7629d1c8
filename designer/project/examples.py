"""The example projects that ship in projects/: where they are and what they are called."""

from __future__ import annotations

import json
from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "projects"


def examples() -> list[tuple[str, Path]]:
    """(title, path) of every example project, by file name."""
    found = []
    for path in sorted(EXAMPLES_DIR.glob("*.json")):
        try:
            title = json.loads(path.read_text(encoding="utf-8")).get("name", path.stem)
        except (OSError, ValueError, AttributeError):
            title = path.stem
        found.append((str(title), path))
    return found
