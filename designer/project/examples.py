"""The example projects that ship in projects/: where they are and what they are called."""

from __future__ import annotations

import json
import shutil
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


def copy_example(name: str, folder: Path) -> Path:
    """The example `name` copied into `folder` (its runs then land there), with the image
    folder beside it that it reads, if any."""
    path = Path(shutil.copy(EXAMPLES_DIR / f"{name}.json", folder / f"{name}.json"))
    dataset = json.loads(path.read_text(encoding="utf-8")).get("dataset", {})
    images = dataset.get("path") if dataset.get("source") == "image_folder" else None
    if images and (EXAMPLES_DIR / images).is_dir() and not (folder / images).exists():
        shutil.copytree(EXAMPLES_DIR / images, folder / images)
    return path
