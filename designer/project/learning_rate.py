"""Save a proposed learning rate into a project file as it is now: the window may have saved
other edits while the rate was being found, and those are kept."""

from __future__ import annotations

from pathlib import Path

from designer.project.files import load_project, save_project


def file_state(path: Path) -> tuple[int, int]:
    """What tells that a file was written since: its modification time and size."""
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def apply_learning_rate(path: Path, rate: float, read_at: tuple[int, int]) -> str:
    """Set training.optimizer.lr in the file at `path` to `rate`, read afresh so that only the
    rate changes; `read_at` is its file_state when the project was first read. Returns the line
    that says what was done."""
    changed = file_state(path) != read_at
    project = load_project(path)
    optimizer = project.training.get("optimizer", {})
    optimizer = {"name": optimizer} if isinstance(optimizer, str) else dict(optimizer)
    project.training["optimizer"] = {**optimizer, "lr": rate}
    save_project(project)
    if changed:
        return (
            f"saved as training.optimizer.lr in {path}: the file changed while the rate was "
            "found, so only the rate was merged into it and its other changes are kept"
        )
    return f"saved as training.optimizer.lr in {path}"
