"""A finished trial's values written into the project file, so that the file's network is
the trial's: its run then resumes and exports with the project like any run of it."""

from __future__ import annotations

import optuna
from optuna.trial import FrozenTrial, TrialState

from designer.project import Project, load_project, save_project
from designer.sweep.apply import apply_values
from designer.sweep.search import trial_values
from designer.sweep.space import SearchSpace, SweepError, read_space

BEST = "best"


def chosen_trial(study: optuna.Study, which: str, source: str) -> FrozenTrial:
    """The complete trial `which` names: "best" or its number; SweepError when there is none."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        raise SweepError(source, f"the study {study.study_name!r} has no complete trial yet")
    if which == BEST:
        return study.best_trial
    numbers = ", ".join(str(trial.number) for trial in complete)
    found = [trial for trial in complete if str(trial.number) == which.strip()]
    if not found:
        message = f"no complete trial {which!r} in the study (complete: {numbers}; or best)"
        raise SweepError(source, message, "--apply")
    return found[0]


def apply_trial(project: Project, trial: FrozenTrial) -> SearchSpace:
    """Write `trial`'s values into `project`'s file as it is now (edits saved since it was
    read are kept); the file's search space, by which the values were read."""
    current = load_project(project.path)
    space = read_space(current)
    applied = apply_values(current, space, trial_values(trial, space))
    save_project(applied)
    return space
