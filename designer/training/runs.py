"""Runs stored beside the project: runs/<project>/<run id>/ with the config, the split, the
network's source, metrics as JSON lines, the best and last checkpoints, and the run's own
metadata: its number (run.json) and the name the user gave it (title.txt)."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from designer.runtime.files import writable_target, write_atomically
from designer.training.checkpoint import CheckpointError
from designer.training.config import ConfigError, parse_training
from designer.training.run_files import RunDamaged, read_json, read_records, read_source, read_text
from designer.training.run_labels import default_label

RUNS = "runs"
STARTS = ("init_from", "start_weights")  # what a run started from: not needed to resume it
NUMBERING_LOCK = ".numbering"  # there while a new run takes its number
LOCK_STALE_SECONDS = 30.0


class RunWriteError(Exception):
    """A file in a run's folder could not be written (read-only, disk full): `path` and why."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(f"cannot write {path} ({reason})")


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OSError while writing `path` into a RunWriteError naming it."""
    try:
        yield
    except OSError as error:
        raise RunWriteError(path, error.strerror or str(error)) from error


@dataclass
class RunFolder:
    """One run's folder; `id` is its name, a timestamp such as 20250101-120000. `position` is
    its place (from 1) among the project's runs when listed, the number of a run from before
    runs were numbered."""

    root: Path
    position: int = 0

    @property
    def id(self) -> str:
        return self.root.name

    @property
    def config_path(self) -> Path:
        return self.root / "config.json"

    @property
    def metrics_path(self) -> Path:
        return self.root / "metrics.jsonl"

    @property
    def title_path(self) -> Path:
        return self.root / "title.txt"

    @property
    def metadata_path(self) -> Path:
        return self.root / "run.json"

    @property
    def number(self) -> int:
        """The run's number among the project's runs, kept from its start (a deleted run
        leaves a gap rather than renumbering the later ones)."""
        try:
            number = json.loads(read_text(self.metadata_path)).get("number")
        except (RunDamaged, ValueError, AttributeError):
            number = None
        valid = isinstance(number, int) and not isinstance(number, bool) and number > 0
        return number if valid else self.position

    @property
    def given_title(self) -> str | None:
        """The name the user gave the run, if any."""
        try:
            return read_text(self.title_path).strip() or None
        except RunDamaged:
            return None

    @property
    def default_title(self) -> str:
        """ "Run 3 \u00b7 Adam 0.003 \u00b7 20 epochs \u00b7 14:32"."""
        try:
            config = self.config()
        except RunDamaged:
            config = {}
        try:
            epochs = [record for record in self.records() if "epoch" in record]
        except RunDamaged:
            epochs = []
        done = max((record["epoch"] for record in epochs), default=0)
        return default_label(self.number, self.id, config, done, date.today())

    @property
    def title(self) -> str:
        """The name the user gave the run, else its readable default."""
        return self.given_title or self.default_title

    @property
    def short_title(self) -> str:
        """The name the user gave the run, else "Run 3": for a legend."""
        return self.given_title or f"Run {self.number}"

    def rename(self, title: str) -> None:
        """Give the run a name (one line) in its title.txt; no other file of the run changes.
        An empty name, or the default one, goes back to the default."""
        title = " ".join(title.split())
        if title and title not in (self.id, self.default_title):
            write_atomically(self.title_path, title + "\n")
        else:
            self.title_path.unlink(missing_ok=True)

    def checkpoint(self, kind: str) -> Path:
        return self.root / "checkpoints" / f"{kind}.pt"

    def write_start(self, config: dict[str, Any], split: dict[str, Any], source: str) -> None:
        (self.root / "checkpoints").mkdir(parents=True, exist_ok=True)
        write_atomically(self.config_path, json.dumps(config, indent=2) + "\n")
        write_atomically(self.root / "split.json", json.dumps(split) + "\n")
        write_atomically(self.root / "model.py", source)

    def config(self) -> dict[str, Any]:
        """The settings the run started with; RunDamaged if config.json cannot be used."""
        return read_json(self.config_path)

    def source(self) -> str:
        """The network's source the run started with; RunDamaged if model.py is not Python."""
        return read_source(self.root / "model.py")

    def check(self) -> None:
        """RunDamaged naming the first of the run's files that cannot be used: its settings
        (config.json, the training settings in it too), the split (split.json, if kept),
        the network (model.py) and the metrics (metrics.jsonl)."""
        config = self.config()
        missing = [section for section in ("training", "dataset") if section not in config]
        if missing:
            raise RunDamaged(self.config_path, f"lacks the {' and '.join(missing)} settings")
        training = config["training"]
        try:
            parse_training({k: v for k, v in training.items() if k not in STARTS})
        except ConfigError as error:
            raise RunDamaged(
                self.config_path, f"holds settings that do not parse: {error}"
            ) from None
        split = self.root / "split.json"
        if split.exists() or split.is_symlink():
            read_json(split)
        self.source()
        self.records()

    @cached_property
    def problem(self) -> str | None:
        """What makes the run unusable (see check), or None; checked once for this object."""
        try:
            self.check()
        except RunDamaged as error:
            return error.message
        return None

    def append(self, record: dict[str, Any]) -> None:
        with writing(self.metrics_path):
            writable_target(self.metrics_path)  # a FIFO or device there is never opened
            with self.metrics_path.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps(record) + "\n")

    def records(self) -> list[dict[str, Any]]:
        """The metrics so far, a record a line; RunDamaged if metrics.jsonl cannot be used."""
        return read_records(self.metrics_path)

    def truncate_after(self, step: int) -> None:
        """Drop records past `step`: a resumed run writes them again from its checkpoint."""
        kept = [
            record
            for record in self.records()
            if record.get("step", 0) <= step and "final" not in record
        ]
        text = "".join(json.dumps(record) + "\n" for record in kept)
        write_atomically(self.metrics_path, text)


def runs_root(project_path: Path) -> Path:
    return project_path.parent / RUNS / project_path.stem


def new_run(project_path: Path) -> RunFolder:
    """A new run folder holding only its number (one past the highest so far); RunWriteError
    names the folder or file that cannot be made."""
    root = runs_root(project_path)
    with writing(root):
        root.mkdir(parents=True, exist_ok=True)
    with numbering(root):
        return numbered_run(project_path, root)


def numbered_run(project_path: Path, root: Path) -> RunFolder:
    """A new run folder numbered one past the runs and the runs still starting (numbered,
    with no settings saved yet)."""
    starting = [
        RunFolder(child) for child in root.iterdir() if child.is_dir() and not is_run(child)
    ]
    runs = [*list_runs(project_path), *starting]
    number = 1 + max((run.number for run in runs), default=0)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name, copy = stamp, 1
    while True:
        try:
            with writing(root / name):
                (root / name).mkdir()
            break
        except RunWriteError as error:
            if not isinstance(error.__cause__, FileExistsError):
                raise
            copy += 1
            name = f"{stamp}-{copy}"
    run = RunFolder(root / name, number)
    with writing(run.metadata_path):
        write_atomically(run.metadata_path, json.dumps({"number": number}) + "\n")
    return run


@contextmanager
def numbering(root: Path) -> Iterator[None]:
    """Hold the runs folder's numbering lock, a file made only where none is, so that runs
    started at once (a sweep's, or a window's beside a command's) get numbers of their own. A
    lock left by a process that died is taken over once it is LOCK_STALE_SECONDS old."""
    lock = root / NUMBERING_LOCK
    while True:
        try:
            with writing(lock):
                os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            break
        except RunWriteError as error:
            if not isinstance(error.__cause__, FileExistsError):
                raise
            with contextlib.suppress(OSError):
                if time.time() - lock.stat().st_mtime > LOCK_STALE_SECONDS:
                    lock.unlink()
            time.sleep(0.005)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def is_run(folder: Path) -> bool:
    """A run's folder holds a config.json (damaged or not, even one that is not a file)."""
    config = folder / "config.json"
    return folder.is_dir() and (config.exists() or config.is_symlink())


def open_run(project_path: Path, run: str) -> RunFolder:
    """A run by id (under the project's runs folder) or by path."""
    candidates = [runs_root(project_path) / run, Path(run)]
    for candidate in candidates:
        if is_run(candidate):
            return RunFolder(candidate)
    known = ", ".join(folder.id for folder in list_runs(project_path)) or "none yet"
    raise CheckpointError(f"no run {run!r} for {project_path.name} (runs: {known})", "--resume")


def list_runs(project_path: Path) -> list[RunFolder]:
    """The project's runs, oldest first."""
    root = runs_root(project_path)
    if not root.is_dir():
        return []
    children = [child for child in sorted(root.iterdir()) if is_run(child)]
    runs = [RunFolder(child, position) for position, child in enumerate(children, 1)]
    return sorted(runs, key=lambda run: run.number)  # the order they started in
