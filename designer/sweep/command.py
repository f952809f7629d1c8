"""`netdesigner sweep`: the project's search space searched from the command line, a line per
finished trial, a table at the end; the study lives on in its storage to be continued."""

from __future__ import annotations

import argparse
import signal
from dataclasses import replace

import optuna

from designer.interruption import interrupted
from designer.project import Project
from designer.sweep.report import shown, trial_line, trial_table
from designer.sweep.search import open_study, trial_values
from designer.sweep.space import read_space
from designer.sweep.sweep import Budget, Sweep, counted
from designer.sweep.trial_apply import apply_trial, chosen_trial
from designer.sweep.trials import RUN


def sweep(project: Project, args: argparse.Namespace) -> int:
    """Sweep `project` as the arguments say; the exit code."""
    space = read_space(project)
    if args.sampler:
        space = replace(space, sampler=args.sampler)
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # the lines here say what happens
    study, objective = open_study(project, space, args.storage)
    if args.apply:
        return apply_chosen(project, study, args)
    done = len(counted(study))
    swept = ", ".join(swept.label for swept in space.params)
    print(
        f"sweeping {swept} of {args.file} with the {space.sampler} sampler, "
        f"{space.pruner} pruner; study {study.study_name!r}: {done} of {args.trials} trials "
        "done",
        flush=True,
    )

    def heard(trial: optuna.trial.FrozenTrial) -> None:
        if not trial.params:
            return  # a trial that never started (Ctrl+C came first)
        print(trial_line(trial, space, objective, best_of(study)), flush=True)

    search = Sweep(project, space, study, objective, args.jobs)
    previous = signal.signal(signal.SIGINT, lambda *_: search.interrupt())
    try:  # the handler stays while the training processes close: they save, then end
        stopped = search.run(Budget(args.trials, args.timeout), heard)
    finally:
        signal.signal(signal.SIGINT, previous)
    trials = [trial for trial in study.get_trials(deepcopy=False) if trial.params]
    if trials:
        print()
        print(trial_table(trials, space, objective))
    best = best_of(study)
    if best is not None:
        print(f"\nbest: {trial_line(best, space, objective, None)}")
    if stopped:
        print(
            f"stopped with {len(counted(study))} of {args.trials} trials done; the same "
            "command continues the study (the trials cut short run first)"
        )
        return interrupted()
    return 0


def apply_chosen(project: Project, study: optuna.Study, args: argparse.Namespace) -> int:
    """Write the chosen trial's values into the project file and say what its run is for."""
    trial = chosen_trial(study, args.apply, args.file)
    space = apply_trial(project, trial)
    values = ", ".join(
        f"{space.labels()[key]}={shown(value)}" for key, value in trial_values(trial, space).items()
    )
    print(f"{args.file}: trial {trial.number}'s values saved: {values}")
    run = trial.user_attrs.get(RUN)
    if run is not None:
        print(
            f"its run {run} now resumes (train --resume {run}) and exports (export --weights "
            f"{run}) with the project"
        )
    return 0


def best_of(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    """The complete trial with the best value, or None yet."""
    try:
        return study.best_trial
    except ValueError:
        return None
