"""One trial: a normal run of the project with the trial's values, in a training process of
the pool; each epoch's monitored score goes to the trial, and a trial the pruner gives up on
has its run stopped."""

from __future__ import annotations

import threading
import time

import optuna
import torch

from designer.project import Project
from designer.project.files import project_to_text
from designer.runtime.devices import thread_count
from designer.sweep.apply import apply_values
from designer.sweep.devices import DeviceShare
from designer.sweep.processes import ProcessPool
from designer.sweep.search import Objective, suggest
from designer.sweep.space import SearchSpace
from designer.training.config import parse_training
from designer.training.events import (
    EndReason,
    EpochDone,
    FailureKind,
    RunFailed,
    RunFinished,
    RunStarted,
)
from designer.training.job import RunJob
from designer.training.run_process import TrainingProcess

RUN, SECONDS, EPOCHS, FAILURE, INTERRUPTED = "run", "seconds", "epochs", "failure", "interrupted"


class TrialFailed(Exception):
    """The trial's run failed (its message is the trial's `failure` attribute)."""


class SweepInterrupted(Exception):
    """The sweep was asked to stop while the trial ran, or before it started."""


class TrialRunner:
    """Optuna's objective: runs each trial as a run of `project` in the runs folder, `jobs` at
    a time. Where the project leaves torch's threads automatic, each run takes an equal share
    of the cores; where it leaves the device automatic on a machine with several GPUs, each
    run takes the least used GPU."""

    def __init__(
        self,
        project: Project,
        space: SearchSpace,
        objective: Objective,
        pool: ProcessPool,
        jobs: int,
    ) -> None:
        self.project, self.space, self.objective, self.pool = project, space, objective, pool
        self.threads = thread_count(0, processes=jobs)
        device = parse_training(project.training).device
        self.devices = DeviceShare(device, torch.cuda.device_count())
        self.interrupted = threading.Event()

    def interrupt(self) -> None:
        """Stop the runs under way and start no more."""
        self.interrupted.set()
        self.pool.stop_all()

    def __call__(self, trial: optuna.Trial) -> float:
        if self.interrupted.is_set():
            raise self.stopped(trial)
        values = suggest(trial, self.space)
        runnable = apply_values(self.project, self.space, values)
        if runnable.training.get("threads", "auto") == "auto":
            runnable.training["threads"] = self.threads
        device = self.devices.take()
        if device is not None:
            runnable.training["device"] = device
        job = RunJob(project_to_text(runnable), self.project.path, runnable.training)
        try:
            return self.run(trial, job)
        finally:
            self.devices.give_back(device)

    def run(self, trial: optuna.Trial, job: RunJob) -> float:
        """The trial's run, in a training process of the pool."""
        process = self.pool.take()
        try:
            if self.interrupted.is_set():  # asked between the check and the take
                raise self.stopped(trial)
            process.start(job)
            if self.interrupted.is_set():  # a stop sent just before the job would miss it
                process.stop()
            return self.follow(trial, process)
        finally:
            self.pool.give_back(process)

    def follow(self, trial: optuna.Trial, process: TrainingProcess) -> float:
        """Read the run's events to its end; the trial's value, or the exception that ends
        it (pruned, failed, interrupted)."""
        scores: list[float] = []
        pruned, end, started = False, None, time.monotonic()
        for message in process.messages():
            if isinstance(message, RunStarted):
                trial.set_user_attr(RUN, message.run_id)
                started = time.monotonic()
            elif isinstance(message, EpochDone):
                scores.append(self.score(message))
                trial.set_user_attr(EPOCHS, message.epoch)
                trial.report(scores[-1], message.epoch)
                if not pruned and trial.should_prune():
                    pruned = True
                    process.stop()
            elif isinstance(message, RunFinished | RunFailed):
                end = message
        trial.set_user_attr(SECONDS, round(time.monotonic() - started, 2))
        if (
            isinstance(end, RunFailed)
            and end.kind == FailureKind.CRASHED
            and self.interrupted.is_set()
        ):
            raise self.stopped(trial)  # Ctrl+C in a terminal reaches a process still starting
        if isinstance(end, RunFailed):
            trial.set_user_attr(FAILURE, end.message)
            raise TrialFailed(end.message)
        if pruned:
            raise optuna.TrialPruned(f"pruned after epoch {len(scores)}")
        if end is None or (end.reason == EndReason.STOPPED and self.interrupted.is_set()):
            raise self.stopped(trial)
        if not scores:
            trial.set_user_attr(FAILURE, "the run ended before its first epoch")
            raise TrialFailed("the run ended before its first epoch")
        return self.objective.best(scores)

    def score(self, epoch: EpochDone) -> float:
        part, _, name = self.objective.monitor.partition("_")
        return float((epoch.val if part == "val" else epoch.train)[name])

    def stopped(self, trial: optuna.Trial) -> SweepInterrupted:
        """Mark the trial as cut short (it does not count) and end the sweep's loop."""
        trial.set_user_attr(INTERRUPTED, True)
        trial.study.stop()
        return SweepInterrupted()
