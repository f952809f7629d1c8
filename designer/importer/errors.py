"""What goes wrong when importing a module: problems for the user, and one call we cannot map."""

from __future__ import annotations

from designer.project import ProjectError


class ImportProblem(ProjectError):
    """A module that cannot be imported: the source (file, spec or shape) and what is wrong."""


class UnsupportedModule(ImportProblem):
    """The module uses things NetDesigner has no layer for; `problems` lists every one by name."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            source,
            f"cannot be imported as a NetDesigner graph ({len(problems)} problem(s)):\n{listed}",
        )


class Unsupported(Exception):
    """One traced call with no catalog equivalent; `where` overrides the call it is reported at.
    `final`: custom code in its place could not take it either (shared weights, say)."""

    def __init__(self, reason: str, where: str | None = None, final: bool = False) -> None:
        super().__init__(reason)
        self.where = where
        self.final = final


class Skipped(Exception):
    """A call whose input could not be mapped: the input's problem is reported, not this one."""
