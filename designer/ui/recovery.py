"""Crash recovery: a copy of the open project, written after edits, offered at the next start."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from designer.atomic import write_atomically
from designer.project import Project, ProjectError, project_from_text
from designer.project.files import project_to_dict


def recovery_path() -> Path:
    folder = Path(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    )
    return folder / "recovery.json"


def write_recovery(project: Project) -> None:
    path = recovery_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    original = str(project.path) if project.path else None
    payload = {"original_path": original, "project": project_to_dict(project)}
    write_atomically(path, json.dumps(payload, ensure_ascii=False))


def read_recovery() -> Project | None:
    """The recovered project (its `path` the file it came from), or None when there is none."""
    path = recovery_path()
    if not path.exists():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        project = project_from_text(json.dumps(payload["project"]), "recovery copy")
    except (OSError, ValueError, KeyError, TypeError, ProjectError):
        discard_recovery()
        return None
    original = payload.get("original_path")
    project.path = Path(original) if isinstance(original, str) else None
    return project


def discard_recovery() -> None:
    recovery_path().unlink(missing_ok=True)
