"""A sweep: the study's trials run `jobs` at a time until it holds the trials asked for, the
time is up or Ctrl+C; trials cut short are queued again for the study's next sweep."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

import optuna
from optuna.trial import FrozenTrial, TrialState

from designer.project import Project
from designer.sweep.processes import ProcessPool
from designer.sweep.search import Objective
from designer.sweep.space import SearchSpace
from designer.sweep.trials import INTERRUPTED, SweepInterrupted, TrialFailed, TrialRunner

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


@dataclass(frozen=True)
class Budget:
    """`trials`: the study's trials in all, counted over every sweep of it (a trial cut short
    by Ctrl+C does not count); `seconds`: no trial starts after that long (None: no limit)."""

    trials: int
    seconds: float | None = None


def counted(study: optuna.Study) -> list[FrozenTrial]:
    """The study's finished trials that count towards its budget."""
    return [
        trial
        for trial in study.get_trials(deepcopy=False, states=FINISHED)
        if not trial.user_attrs.get(INTERRUPTED)
    ]


def run_sweep(
    project: Project,
    space: SearchSpace,
    study: optuna.Study,
    objective: Objective,
    budget: Budget,
    jobs: int,
    on_trial: Callable[[FrozenTrial], None],
) -> bool:
    """Run the study's remaining trials; `on_trial` hears of each as it finishes (in the
    thread that ran it). Ctrl+C stops the runs under way (each saves first) and starts no more.
    Returns whether the sweep was interrupted."""
    remaining = budget.trials - len(counted(study))
    sampler = study.sampler
    if remaining <= 0 or (
        isinstance(sampler, optuna.samplers.GridSampler) and sampler.is_exhausted(study)
    ):
        return False
    pool = ProcessPool()
    runner = TrialRunner(project, space, objective, pool, jobs)
    lock = threading.Lock()

    def heard(_: optuna.Study, trial: FrozenTrial) -> None:
        with lock:
            on_trial(trial)

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: runner.interrupt()) if in_main else None
    before = {trial.number for trial in study.get_trials(deepcopy=False)}
    try:
        study.optimize(
            runner,
            n_trials=remaining,
            timeout=budget.seconds,
            n_jobs=jobs,
            catch=(TrialFailed, SweepInterrupted),
            callbacks=[heard],
        )
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
        pool.close()
    requeue_interrupted(study, before)
    return runner.interrupted.is_set()


def requeue_interrupted(study: optuna.Study, before: set[int]) -> None:
    """Queue the values of this sweep's trials cut short, for the next sweep to run first."""
    for trial in study.get_trials(deepcopy=False):
        if trial.number in before or not trial.user_attrs.get(INTERRUPTED):
            continue
        params = trial.params or trial.system_attrs.get("fixed_params", {})
        if params:
            study.enqueue_trial(params)
