"""One run as the app asks for it: a project snapshot trained (or resumed) to the end, then the
classical baseline; every outcome, failures included, reaches the listeners as an event."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.data import SetupError
from designer.project import ProjectError, project_from_text
from designer.training.control import RunControl
from designer.training.events import (
    BaselineFitted,
    EndReason,
    FailureKind,
    Listener,
    RunFailed,
    RunFinished,
)
from designer.training.resume import resume_setup
from designer.training.runs import RunWriteError, new_run, open_run
from designer.training.setup import prepare_run
from designer.training.trainer import Trainer


@dataclass(frozen=True)
class RunJob:
    """`snapshot` is the project's JSON; with `resume`, that run of the project goes on.
    `layer_stats` samples live per-layer values at most once per that many seconds."""

    snapshot: str
    path: Path | None
    training: dict[str, Any]
    resume: str | None = None
    layer_stats: float = 0.0


def run_job(job: RunJob, control: RunControl, listener: Listener) -> None:
    """Prepare and train `job`; nothing it does raises: a failure is a RunFailed event."""
    try:
        project = project_from_text(job.snapshot, str(job.path or "project"))
        project.path = job.path
        if job.resume is not None:
            run = open_run(job.path, job.resume)
            setup = resume_setup(project, run, epochs=job.training.get("epochs"))
        else:
            setup = prepare_run(project, training=job.training)
            run = new_run(job.path) if job.path is not None else None
        trainer = Trainer(setup, run, control, [listener], job.resume is not None, job.layer_stats)
        result = trainer.run()
        if isinstance(result, RunFinished) and result.reason != EndReason.STOPPED:
            report_baseline(setup, listener)
    except (SetupError, ProjectError) as error:
        listener(RunFailed(FailureKind.SETUP, str(error), 0, 0))
    except RunWriteError as error:
        listener(RunFailed(FailureKind.WRITE, f"The run's folder: {error}", 0, 0))
    except Exception as error:  # the caller must live on whatever the run does
        listener(RunFailed(FailureKind.ERROR, f"{type(error).__name__}: {error}", 0, 0))


def report_baseline(setup, listener: Listener) -> None:
    """The classical baseline's score on the run's split, which the metric plot shows as a
    line to beat (where the training settings ask for it); scikit-learn loads here, when first
    needed."""
    from designer.training.baseline import fit_baseline

    if setup.config.baseline:
        baseline = fit_baseline(setup.data, setup.config.seed)
        if baseline is not None:
            listener(BaselineFitted(baseline.model, baseline.val, baseline.test))
