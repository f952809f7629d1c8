"""One run as the app asks for it: a project snapshot trained (or resumed) to the end, with the
classical baseline fitted beside it; every outcome, failures included, reaches the listeners as
an event."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.compiler.code_trust import trust, trusted_now
from designer.data import SetupError
from designer.project import ProjectError, project_from_text
from designer.training.background_baseline import run_with_baseline
from designer.training.control import RunControl
from designer.training.events import (
    FailureKind,
    Listener,
    RunFailed,
    WeightsFetching,
    serialized,
)
from designer.training.resume import resume_setup
from designer.training.runs import RunWriteError, new_run, open_run
from designer.training.setup import prepare_run
from designer.training.trainer import Trainer


@dataclass(frozen=True)
class RunJob:
    """`snapshot` is the project's JSON; with `resume`, that run of the project goes on.
    `layer_stats` samples live per-layer values at most once per that many seconds. `trusted`:
    the custom code trusted where the job was made (the app's answer), which the training
    process trusts too."""

    snapshot: str
    path: Path | None
    training: dict[str, Any]
    resume: str | None = None
    layer_stats: float = 0.0
    trusted: frozenset[str] = field(default_factory=trusted_now)


def run_job(job: RunJob, control: RunControl, listener: Listener) -> None:
    """Prepare and train `job`; nothing it does raises: a failure is a RunFailed event. The
    run's thread and the baseline's call `listener` one at a time."""
    listener = serialized(listener)
    trust(job.trusted)
    try:
        project = project_from_text(job.snapshot, str(job.path or "project"))
        project.path = job.path
        if job.resume is not None:
            run = open_run(job.path, job.resume)
            setup = resume_setup(project, run, epochs=job.training.get("epochs"))
        else:
            setup = prepare_run(
                project,
                training=job.training,
                progress=lambda done, total: listener(WeightsFetching(done, total)),
            )
            run = new_run(job.path) if job.path is not None else None
        resume = job.resume is not None
        trainer = Trainer(
            setup, run, control, [listener], resume, job.layer_stats, beside_window=True
        )
        run_with_baseline(trainer, listener)
    except (SetupError, ProjectError) as error:
        listener(RunFailed(FailureKind.SETUP, str(error), 0, 0))
    except RunWriteError as error:
        listener(RunFailed(FailureKind.WRITE, f"The run's folder: {error}", 0, 0))
    except Exception as error:  # the caller must live on whatever the run does
        listener(RunFailed(FailureKind.ERROR, f"{type(error).__name__}: {error}", 0, 0))
