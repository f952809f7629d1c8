"""Setting up a resumed run: its own saved settings, and the same network it started with."""

from __future__ import annotations

from typing import Any

from designer.project import Project
from designer.training.checkpoint import CheckpointError
from designer.training.runs import STARTS, RunFolder
from designer.training.setup import RunSetup, prepare_run


def resume_setup(project: Project, run: RunFolder, **overrides: Any) -> RunSetup:
    """The run's saved training and dataset settings (with `overrides`, e.g. more epochs). The
    run's files are checked first (RunDamaged names the one that cannot be used). The weights
    come from the run's own checkpoint, so the weights it first started from (init_from,
    start_weights) are not needed again."""
    run.check()
    saved = run.config()
    training = {k: v for k, v in saved["training"].items() if k not in STARTS}
    setup = prepare_run(project, training, saved["dataset"], **overrides)
    if setup.code.source != run.source():
        raise CheckpointError(
            f"the network changed since run {run.id} started; resuming needs the same network "
            "(start a new run instead)",
            "--resume",
        )
    return setup
