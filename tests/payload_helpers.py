"""Shared by the safe-loading tests: a pickled payload that runs code when loaded, and an
mlp_iris project with one finished run whose files the tests poison."""

from __future__ import annotations

from pathlib import Path

from designer.training import Trainer, list_runs, new_run, prepare_run
from tests.train_helpers import example_copy

FAST = {"epochs": 1, "batch_size": 16, "baseline": False, "threads": 1}


class Payload:
    """Unpickling this opens `sentinel` for writing, creating the file: code run by loading."""

    def __init__(self, sentinel) -> None:
        self.sentinel = str(sentinel)

    def __reduce__(self):
        return open, (self.sentinel, "w")


def trained_iris(tmp_path: Path):
    """mlp_iris with one finished run: the project and the run."""
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    Trainer(prepare_run(project), new_run(project.path)).run()
    (run,) = list_runs(project.path)
    return project, run
