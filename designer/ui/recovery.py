"""Crash recovery: a copy of each open project, written after edits, offered at the next start.

Each project has its own copy (named from its file, or from this process for a new project),
so two windows or two instances never overwrite or delete each other's."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from designer.project import Project, ProjectError, project_from_text
from designer.project.files import project_to_dict
from designer.runtime.files import write_atomically


def recovery_folder() -> Path:
    location = QStandardPaths.StandardLocation.AppLocalDataLocation
    return Path(QStandardPaths.writableLocation(location)) / "recovery"


def recovery_file(project_path: Path | None) -> Path:
    if project_path is None:
        return recovery_folder() / f"untitled-{os.getpid()}.json"
    key = hashlib.sha1(str(Path(project_path).resolve()).encode()).hexdigest()[:16]
    return recovery_folder() / f"{key}.json"


def write_recovery(project: Project) -> Path:
    path = recovery_file(project.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    original = str(project.path) if project.path else None
    payload = {"original_path": original, "project": project_to_dict(project)}
    write_atomically(path, json.dumps(payload))  # ASCII: a file name need not be UTF-8
    return path


def read_recovery(project_path: Path | None = None) -> tuple[Project, Path] | None:
    """The copy left for `project_path` (or, with None, the newest copy of any project) and
    where it lies; None when there is none. A damaged copy is removed."""
    if project_path is not None:
        candidates = [recovery_file(project_path)]
    else:
        folder = recovery_folder()
        candidates = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates:
        if not path.exists():
            continue
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            project = project_from_text(json.dumps(payload["project"]), "recovery copy")
        except (OSError, ValueError, KeyError, TypeError, ProjectError):
            path.unlink(missing_ok=True)
            continue
        original = payload.get("original_path")
        project.path = Path(original) if isinstance(original, str) else None
        return project, path
    return None
