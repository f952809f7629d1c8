"""A trial's network size: parameters and MACs of the project's graph with its values,
worked out once per trial."""

from __future__ import annotations

from typing import Any

from designer.compiler import Analyzer
from designer.project import Project
from designer.sweep.apply import apply_values
from designer.sweep.space import SearchSpace, SweepError


class TrialSizes:
    """(parameters, MACs) by trial number, of `project` with each trial's values."""

    def __init__(self, project: Project, space: SearchSpace) -> None:
        self.project, self.space = project, space
        self.known: dict[int, tuple[int, int] | None] = {}

    def of(self, number: int, values: dict[str, Any]) -> tuple[int, int] | None:
        """None when the values cannot be applied (the graph changed since) or the graph
        has no shapes with them."""
        if number not in self.known:
            self.known[number] = self.measure(values)
        return self.known[number]

    def measure(self, values: dict[str, Any]) -> tuple[int, int] | None:
        try:
            graph = apply_values(self.project, self.space, values).graph
        except SweepError:
            return None
        report = Analyzer(graph).report()
        return None if report.errors else (report.total_params, report.total_macs)
