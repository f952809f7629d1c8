"""Outputs aimed at work that is not theirs to replace: the project itself, or a file of a
training run (its checkpoints, config, split, metrics, source). Refused unless --force."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from designer.runtime.files import OutputRefused, writable_target
from designer.training.runs import RUNS

RUN_FILES = {
    "config.json": "settings",
    "split.json": "split",
    "model.py": "network source",
    "metrics.jsonl": "metrics",
    "run.json": "number",
    "title.txt": "name",
}


def is_run_folder(folder: Path) -> bool:
    """A run's folder, as training makes it: its checkpoints folder beside config.json (or,
    while it starts, run.json under runs/)."""
    if not (folder / "checkpoints").is_dir():
        return (folder / "run.json").is_file() and folder.parent.parent.name == RUNS
    return (folder / "config.json").is_file() or (folder / "run.json").is_file()


def run_file(path: Path) -> str | None:
    """What `path` (an existing file) is to the run it belongs to, if it belongs to one:
    "the best checkpoint of run 20250101-120000"."""
    folder = path.parent
    if folder.name == "checkpoints" and is_run_folder(folder.parent):
        return f"the {path.stem} checkpoint of run {folder.parent.name}"
    if is_run_folder(folder):
        what = RUN_FILES.get(path.name)
        return f"the {what} of run {folder.name}" if what else f"a file of run {folder.name}"
    return None


def owner(path: Path, project: Path | None, doing: str) -> str | None:
    """What writing `path` would replace, when it is the user's other work: the project
    (being `doing`, e.g. "exported") or a run's file; None for a file free to replace."""
    target = Path(os.path.realpath(path))
    if not target.is_file():
        return None
    if project is not None and project.is_file() and os.path.samefile(target, project):
        return f"the project being {doing}"
    return run_file(target)


def check_outputs(paths: Iterable[Path], project: Path | None, doing: str, force: bool) -> None:
    """Before anything is written: OutputRefused for the first of `paths` that is no place
    for a file (a device, FIFO, socket, folder, or a folder that does not exist), that
    another of them names too, or, unless `force`, that holds the project or a run's file."""
    targets = set()
    for path in paths:
        target = writable_target(path)
        if target in targets:
            raise OutputRefused(path, "is named for two outputs; give each its own file")
        targets.add(target)
        what = None if force else owner(path, project, doing)
        if what is not None:
            raise OutputRefused(path, f"is {what}; choose another file or pass --force")
