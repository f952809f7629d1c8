"""A run folder's files read as untrusted input: only regular files of a bounded size, UTF-8
text, JSON of the expected structure (jsonschema) and Python that parses; anything else is a
RunDamaged error naming the run folder, the file and what is wrong."""

from __future__ import annotations

import ast
import json
import stat
from pathlib import Path
from typing import Any

import jsonschema

from designer.training.checkpoint import CheckpointError

MAX_BYTES = {"metrics.jsonl": 256 * 2**20}  # a long run's confusion matrices add up
DEFAULT_MAX_BYTES = 64 * 2**20
SETTINGS = {"type": "object"}
TEXT_OR_NONE = {"type": ["string", "null"]}
INDICES = {"type": "array", "items": {"type": "integer", "minimum": 0}}

CONFIG = {
    "type": "object",
    "properties": {
        "project": TEXT_OR_NONE,
        "name": {"type": "string"},
        "training": SETTINGS,
        "dataset": SETTINGS,
        "resolved": SETTINGS,
        "loss": {"type": "string"},
        "task": {"type": "string"},
        "classes": {"type": "array", "items": {"type": ["string", "number"]}},
        "split_digest": {"type": "string"},
        "torch": {"type": "string"},
        "started_from": TEXT_OR_NONE,
    },
}

SPLIT = {
    "type": "object",
    "required": ["digest"],
    "properties": {
        "settings": SETTINGS,
        "digest": {"type": "string"},
        "train": INDICES,
        "val": INDICES,
        "test": INDICES,
    },
}

# One line of metrics.jsonl: an epoch's scores, or the run's end.
RECORD = {
    "type": "object",
    "properties": {
        "epoch": {"type": "integer", "minimum": 1},
        "step": {"type": "integer", "minimum": 0},
        "final": {"type": "string"},
        "lr": {"type": "number"},
        "seconds": {"type": "number"},
        "skipped": {"type": "integer"},
        "val_confusion": {"type": ["array", "null"]},
        "val": SETTINGS,
        "test": SETTINGS,
        "message": {"type": "string"},
    },
    "patternProperties": {"^(train|val)_(?!confusion$)": {"type": "number"}},
}

VALIDATORS = {
    name: jsonschema.Draft202012Validator(schema)
    for name, schema in (("config.json", CONFIG), ("split.json", SPLIT), ("metrics", RECORD))
}


class RunDamaged(CheckpointError):
    """A file of a run folder that cannot be used: `path` and what is wrong with it."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem
        super().__init__(f"run {path.parent.name} is damaged: {path} {problem}")


def read_text(path: Path) -> str:
    """The UTF-8 text of a regular file of a run; RunDamaged otherwise."""
    try:
        status = path.stat()
    except OSError as error:
        raise RunDamaged(path, f"cannot be read ({error.strerror or error})") from None
    if not stat.S_ISREG(status.st_mode):
        raise RunDamaged(path, "is not a regular file")
    limit = MAX_BYTES.get(path.name, DEFAULT_MAX_BYTES)
    if status.st_size > limit:
        raise RunDamaged(path, f"is larger than {limit // 2**20} MiB")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RunDamaged(path, f"cannot be read ({error.strerror or error})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RunDamaged(path, f"is not UTF-8 text (byte {error.start})") from None


def checked(path: Path, value: Any, validator: jsonschema.Draft202012Validator, where: str):
    """`value` when it has the structure `validator` checks; RunDamaged naming the place."""
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    except RecursionError:
        raise RunDamaged(path, f"{where}is nested too deeply") from None
    if error is not None:
        place = ".".join(str(part) for part in error.absolute_path)
        at = f" at {place}" if place else ""
        raise RunDamaged(path, f"{where}has the wrong structure{at}: {error.message[:200]}")
    return value


def parse(path: Path, text: str, where: str = "") -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise RunDamaged(path, f"{where}is nested too deeply") from None
    except ValueError as error:
        raise RunDamaged(path, f"{where}is cut short or not JSON ({error})") from None


def read_json(path: Path) -> Any:
    """config.json or split.json, checked against its schema."""
    return checked(path, parse(path, read_text(path)), VALIDATORS[path.name], "")


def read_records(path: Path) -> list[dict[str, Any]]:
    """The lines of metrics.jsonl (none when it is missing), each checked. A last line with
    no line end is a record the process was stopped while writing (killed, or the power
    cut): it is left out, and a resumed run writes it again."""
    if not path.exists() and not path.is_symlink():
        return []
    text = read_text(path)
    lines = text.splitlines()
    if not text.endswith("\n"):
        lines = lines[:-1]
    records = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            where = f"line {number} "
            records.append(checked(path, parse(path, line, where), VALIDATORS["metrics"], where))
    return records


def read_source(path: Path) -> str:
    """model.py: text that parses as Python (it is compared, never run, here)."""
    source = read_text(path)
    try:
        ast.parse(source, str(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        line = getattr(error, "lineno", None)
        at = f" at line {line}" if line else ""
        raise RunDamaged(path, f"is cut short or not Python{at}") from None
    return source
