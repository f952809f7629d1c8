"""A project's search space: its sweep section read and checked against the graph and the
training settings, each refusal naming the entry (sweep.params[2]) and the value."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from designer.project import Project, ProjectError
from designer.sweep.marks import NUMBER_KINDS
from designer.training.config import ConfigError, parse_training
from designer.training.settings_spec import SETTINGS, normalised, put
from nodes import ParamError
from nodes.block import BLOCK_KIND, BLOCK_PARAM

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "none")
MAX_GRID = 10_000  # points of one swept param on a grid
TRAINING_KINDS = {
    setting.place.removeprefix("training."): setting.kind
    for setting in SETTINGS
    if setting.place.startswith("training.") and setting.place != "training.monitor"
}  # the monitored score is what trials are compared by: it is not swept


class SweepError(ProjectError):
    """A sweep section that cannot be searched: the file, the entry and what is wrong."""


@dataclass(frozen=True)
class Swept:
    """One swept value: a node's param (`node` its id; a block instance's exposed params and
    `repeat` are its params) or a training setting (`node` None, `param` its dotted place in
    the training section); `choices`, or a range from `low` to `high` (`log`, `step`).
    `key` names it in the study, `label` for people, `kind` is int, float, choice, bool..."""

    place: str
    key: str
    label: str
    node: str | None
    param: str
    kind: str
    choices: tuple[Any, ...] | None = None
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    step: float | None = None

    def grid(self) -> list[Any] | None:
        """Every value it can take, or None for a continuous range."""
        if self.choices is not None:
            return list(self.choices)
        if self.kind == "int":
            return list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        if self.step is None:
            return None
        count = int((Decimal(str(self.high)) - Decimal(str(self.low))) / Decimal(str(self.step)))
        return [
            float(Decimal(str(self.low)) + index * Decimal(str(self.step)))
            for index in range(count + 1)
        ]

    def values_to_check(self) -> list[Any]:
        if self.choices is not None:
            return list(self.choices)
        number = int if self.kind == "int" else float
        return [number(self.low), number(self.high)]


@dataclass(frozen=True)
class SearchSpace:
    """The project's sweep section, read: what is swept, the sampler and the pruner."""

    params: tuple[Swept, ...]
    sampler: str = "tpe"
    pruner: str = "median"
    startup_trials: int = 5
    warmup_epochs: int = 0

    def labels(self) -> dict[str, str]:
        return {swept.key: swept.label for swept in self.params}


def read_space(project: Project) -> SearchSpace:
    """The project's search space, checked: SweepError naming the first entry that is wrong
    (a node or setting that is not there, a range that is not one, a value the param refuses)."""
    source = str(project.path or project.name)
    section = project.sweep
    if not section:
        raise SweepError(source, "has no sweep section: say what to sweep there", "sweep")
    try:
        parse_training(project.training)
    except ConfigError as error:
        raise SweepError(source, error.message, error.place) from None
    params = tuple(
        read_swept(project, entry, source, f"sweep.params[{index}]")
        for index, entry in enumerate(section["params"])
    )
    keys = [swept.key for swept in params]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise SweepError(source, f"sweeps {key} a second time", f"sweep.params[{index}]")
    pruner = section.get("pruner", {})
    space = SearchSpace(
        params,
        section.get("sampler", "tpe"),
        pruner.get("name", "median"),
        pruner.get("startup_trials", SearchSpace.startup_trials),
        pruner.get("warmup_epochs", SearchSpace.warmup_epochs),
    )
    check_training(project, space, source)
    return space


def read_swept(project: Project, entry: dict[str, Any], source: str, place: str) -> Swept:
    if ("node" in entry) == ("training" in entry):
        message = 'names a node ("node" and "param") or a training setting ("training")'
        raise SweepError(source, message, place)
    if "node" in entry:
        node_id, param = entry["node"], entry.get("param")
        if param is None:
            raise SweepError(source, 'names the node\'s param to sweep: add "param"', place)
        doc = project.graph
        if node_id not in doc:
            raise SweepError(source, f"there is no node {node_id!r}", f"{place}.node")
        node = doc.node(node_id)
        names = [spec.name for spec in node.spec.params if spec.name != BLOCK_PARAM]
        if param not in names or (node.kind == BLOCK_KIND and param == BLOCK_PARAM):
            known = ", ".join(names) or "none"
            message = f"the node {node.name!r} ({node_id}) has no param {param!r} (its params: "
            raise SweepError(source, f"{message}{known})", f"{place}.param")
        kind = node.spec.param(param).kind
        key, label = f"{node_id}.{param}", f"{node.name}.{param}"
    else:
        if "param" in entry:
            raise SweepError(source, '"param" goes with "node", not with "training"', place)
        param = entry["training"]
        if param not in TRAINING_KINDS:
            known = ", ".join(sorted(TRAINING_KINDS))
            message = f"there is no training setting {param!r} (settings: {known})"
            raise SweepError(source, message, f"{place}.training")
        node_id, kind = None, TRAINING_KINDS[param]
        key = label = f"training.{param}"
    swept = Swept(
        place, key, label, node_id, param, kind, **choices_or_range(entry, kind, source, place)
    )
    if node_id is not None:
        spec = project.graph.node(node_id).spec.param(param)
        for value in swept.values_to_check():
            try:
                spec.coerce(value)
            except ParamError as error:
                raise SweepError(source, f"{label} cannot be {value!r}: {error}", place) from None
    return swept


def choices_or_range(entry: dict[str, Any], kind: str, source: str, place: str) -> dict[str, Any]:
    """The choices, or the range, of one entry, checked for what they are."""
    ranged = [key for key in ("low", "high", "log", "step") if key in entry]
    if "choices" in entry:
        if ranged:
            raise SweepError(source, f"gives choices or a range, not both ({ranged[0]})", place)
        choices = entry["choices"]
        if len({repr(choice) for choice in choices}) < len(choices):
            raise SweepError(source, "lists a choice twice", f"{place}.choices")
        return {"choices": tuple(tuple(c) if isinstance(c, list) else c for c in choices)}
    if "low" not in entry or "high" not in entry:
        raise SweepError(source, 'needs "choices", or a range from "low" to "high"', place)
    if kind not in NUMBER_KINDS:
        message = f"is a setting of kind {kind}: a range needs a number, give choices"
        raise SweepError(source, message, place)
    low, high, log, step = entry["low"], entry["high"], entry.get("log", False), entry.get("step")
    if kind == "int" and not all(
        isinstance(value, int) for value in (low, high) + ((step,) if step is not None else ())
    ):
        raise SweepError(source, "sweeps whole numbers: low, high and step must be", place)
    if not low < high:
        raise SweepError(source, f"low ({low}) must be below high ({high})", place)
    if log and low <= 0:
        raise SweepError(source, f"a log range starts above 0, not at {low}", f"{place}.low")
    if step is not None:
        if log:
            raise SweepError(source, "a log range takes no step", f"{place}.step")
        if step <= 0:
            raise SweepError(source, f"step must be above 0, got {step}", f"{place}.step")
        if (Decimal(str(high)) - Decimal(str(low))) % Decimal(str(step)):
            message = f"high - low ({high} - {low}) must be a multiple of step ({step})"
            raise SweepError(source, message, f"{place}.step")
    return {"low": low, "high": high, "log": log, "step": step}


def check_training(project: Project, space: SearchSpace, source: str) -> None:
    """Each swept training setting's values, each alone on the project's settings, must be
    ones the training section's parser takes."""
    for swept in space.params:
        if swept.node is not None:
            continue
        for value in swept.values_to_check():
            try:
                parse_training(with_setting(project.training, swept.param, value))
            except ConfigError as error:
                message = f"{swept.label} cannot be {value!r}: {error}"
                raise SweepError(source, message, swept.place) from None


def with_setting(training: dict[str, Any], place: str, value: Any) -> dict[str, Any]:
    """A copy of a training section with the setting at the dotted `place` set to `value`."""
    sections = normalised({"training": copy.deepcopy(training)})
    put(sections, ("training", *place.split(".")), value)
    return sections["training"]


def check_grid(space: SearchSpace, source: str) -> None:
    """The grid sampler needs every swept value listed or countable."""
    for swept in space.params:
        grid = swept.grid()
        if grid is None:
            message = f"the grid sampler needs choices, or a step for {swept.label}'s range"
            raise SweepError(source, message, swept.place)
        if len(grid) > MAX_GRID:
            message = f"{swept.label} takes {len(grid)} values: a grid holds {MAX_GRID} at most"
            raise SweepError(source, message, swept.place)
