"""The study in Optuna's terms: each swept value suggested to a trial, the sampler and pruner
the sweep asks for, and the study opened (or continued) in its storage."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import sqlalchemy.exc

from designer.project import Project
from designer.runtime.scores import lower_is_better
from designer.sweep.space import SearchSpace, SweepError, Swept, check_grid
from designer.training.config import parse_training
from designer.training.runs import runs_root

STORAGE_FILE = "sweep.db"  # beside the project's runs: runs/<project>/sweep.db
SCALARS = (bool, int, float, str, type(None))


def as_choice(value: Any) -> Any:
    """A choice as Optuna stores it: scalars as they are, lists (a kernel's sides) as JSON."""
    return value if isinstance(value, SCALARS) else json.dumps(list(value))


def from_choice(swept: Swept, value: Any) -> Any:
    stored = [as_choice(choice) for choice in swept.choices]
    return swept.choices[stored.index(value)]


def suggest(trial: optuna.Trial, space: SearchSpace) -> dict[str, Any]:
    """The trial's value of each swept param, by key."""
    values = {}
    for swept in space.params:
        if swept.choices is not None:
            choices = [as_choice(choice) for choice in swept.choices]
            values[swept.key] = from_choice(swept, trial.suggest_categorical(swept.key, choices))
        elif swept.kind == "int":
            step = int(swept.step or 1)
            low, high = int(swept.low), int(swept.high)
            values[swept.key] = trial.suggest_int(swept.key, low, high, step=step, log=swept.log)
        else:
            values[swept.key] = trial.suggest_float(
                swept.key, float(swept.low), float(swept.high), step=swept.step, log=swept.log
            )
    return values


def trial_values(trial: optuna.trial.FrozenTrial, space: SearchSpace) -> dict[str, Any]:
    """A finished trial's values as the project takes them (lists back from their JSON)."""
    values = {}
    for swept in space.params:
        if swept.key in trial.params:
            value = trial.params[swept.key]
            values[swept.key] = from_choice(swept, value) if swept.choices is not None else value
    return values


def make_sampler(space: SearchSpace, source: str) -> optuna.samplers.BaseSampler:
    if space.sampler == "grid":
        check_grid(space, source)
        grid = {swept.key: [as_choice(value) for value in swept.grid()] for swept in space.params}
        return optuna.samplers.GridSampler(grid)
    if space.sampler == "random":
        return optuna.samplers.RandomSampler()
    return optuna.samplers.TPESampler()


def make_pruner(space: SearchSpace, epochs: int) -> optuna.pruners.BasePruner:
    if space.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=epochs)
    if space.pruner == "none":
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(
        n_startup_trials=space.startup_trials, n_warmup_steps=space.warmup_epochs
    )


def default_storage(project_path: Path) -> str:
    """The SQLite file beside the project's runs, its folder made if need be."""
    folder = runs_root(project_path)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / STORAGE_FILE}"


@dataclass(frozen=True)
class Objective:
    """What trials are compared by: the monitored score and which way is better."""

    monitor: str

    @property
    def minimize(self) -> bool:
        return lower_is_better(self.monitor)

    def best(self, scores: list[float]) -> float:
        return min(scores) if self.minimize else max(scores)


def open_study(
    project: Project, space: SearchSpace, storage: str | None
) -> tuple[optuna.Study, Objective]:
    """The project's study (named after its file) in `storage` (None: the default file),
    made or loaded to be continued. SweepError when the storage cannot be opened or holds the
    study with the other direction."""
    source = str(project.path)
    config = parse_training(project.training)
    objective = Objective(config.monitor)
    direction = "minimize" if objective.minimize else "maximize"
    url = storage or default_storage(project.path)
    try:
        study = optuna.create_study(
            study_name=project.path.stem,
            storage=url,
            sampler=make_sampler(space, source),
            pruner=make_pruner(space, config.epochs),
            direction=direction,
            load_if_exists=True,
        )
    except (
        ValueError,
        ImportError,
        optuna.exceptions.OptunaError,
        sqlalchemy.exc.SQLAlchemyError,
    ) as error:
        reason = str(error).splitlines()[0]
        raise SweepError(source, f"cannot open the study in {url}: {reason}", "--storage") from None
    if study.direction.name.lower() != direction:
        message = (
            f"the study {study.study_name!r} in {url} was made to "
            f"{study.direction.name.lower()} its score; {config.monitor} is to be {direction}d"
        )
        raise SweepError(source, message, "training.monitor")
    return study, objective
