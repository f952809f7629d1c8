"""One trial's values applied to a copy of the project: graph params through their specs'
own checks, training settings through the training section's parser."""

from __future__ import annotations

import copy
from typing import Any

from designer.project import Project
from designer.sweep.space import SearchSpace, SweepError, with_setting
from designer.training.config import ConfigError, parse_training
from nodes import ParamError


def apply_values(project: Project, space: SearchSpace, values: dict[str, Any]) -> Project:
    """A copy of `project` with the trial's `values` (by swept key) set; the project itself
    is left as it is. SweepError names a value a param or setting refuses."""
    source = str(project.path or project.name)
    graph = project.graph.copy()
    training = copy.deepcopy(project.training)
    for swept in space.params:
        if swept.key not in values:
            raise SweepError(source, f"the trial has no value for {swept.label}", swept.place)
        value = values[swept.key]
        if swept.node is None:
            training = with_setting(training, swept.param, value)
            continue
        spec = graph.node(swept.node).spec.param(swept.param)
        try:
            graph.set_param(swept.node, swept.param, spec.coerce(value))
        except ParamError as error:
            message = f"{swept.label} cannot be {value!r}: {error}"
            raise SweepError(source, message, swept.place) from None
    try:
        parse_training(training)
    except ConfigError as error:
        raise SweepError(source, f"the trial's training settings: {error}", "sweep") from None
    return Project(
        name=project.name,
        description=project.description,
        graph=graph,
        dataset=copy.deepcopy(project.dataset),
        training=training,
        sweep=copy.deepcopy(project.sweep),
        path=project.path,
    )
