"""A sweep: the study's trials run `jobs` at a time until it holds the trials asked for, the
time is up or it is interrupted; trials cut short are queued again for the study's next
sweep."""

from __future__ import annotations

import threading
import time
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


class Sweep:
    """The trials of `study` run `jobs` at a time, each a run of `project` with the values
    `space` suggests; `interrupt` (from any thread, or a signal handler) stops the runs under
    way, each saving first, and starts no more."""

    def __init__(
        self,
        project: Project,
        space: SearchSpace,
        study: optuna.Study,
        objective: Objective,
        jobs: int,
    ) -> None:
        self.study, self.jobs = study, jobs
        self.pool = ProcessPool()
        self.runner = TrialRunner(project, space, objective, self.pool, jobs)

    def interrupt(self) -> None:
        self.runner.interrupt()

    def run(self, budget: Budget, on_trial: Callable[[FrozenTrial], None]) -> bool:
        """Run the study's remaining trials; `on_trial` hears of each as it finishes, one at a
        time. Trials queued by an earlier sweep (its trials cut short) run first, one at a
        time: two threads taking queued trials at once could take the same one (the RDB
        storage cannot lock SQLite's rows). Returns whether the sweep was interrupted."""
        study = self.study
        remaining = budget.trials - len(counted(study))
        queued = min(remaining, len(study.get_trials(deepcopy=False, states=(TrialState.WAITING,))))
        lock = threading.Lock()
        deadline = None if budget.seconds is None else time.monotonic() + budget.seconds

        def heard(_: optuna.Study, trial: FrozenTrial) -> None:
            with lock:
                on_trial(trial)

        before = {trial.number for trial in study.get_trials(deepcopy=False)}
        try:
            for count, jobs in ((queued, 1), (remaining - queued, self.jobs)):
                seconds = None if deadline is None else deadline - time.monotonic()
                if count <= 0 or self.ended() or (seconds is not None and seconds <= 0):
                    continue
                study.optimize(
                    self.runner,
                    n_trials=count,
                    timeout=seconds,
                    n_jobs=jobs,
                    catch=(TrialFailed, SweepInterrupted),
                    callbacks=[heard],
                )
        finally:
            self.pool.close()
        requeue_interrupted(study, before)
        return self.runner.interrupted.is_set()

    def ended(self) -> bool:
        """Interrupted, or every point of the grid tried."""
        sampler = self.study.sampler
        exhausted = isinstance(sampler, optuna.samplers.GridSampler) and sampler.is_exhausted(
            self.study
        )
        return exhausted or self.runner.interrupted.is_set()


def requeue_interrupted(study: optuna.Study, before: set[int]) -> None:
    """Queue the values of this sweep's trials cut short, for the next sweep to run first."""
    for trial in study.get_trials(deepcopy=False):
        if trial.number in before or not trial.user_attrs.get(INTERRUPTED):
            continue
        params = trial.params or trial.system_attrs.get("fixed_params", {})
        if params:
            study.enqueue_trial(params)
