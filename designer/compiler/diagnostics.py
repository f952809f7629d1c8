"""Diagnostics: what is wrong, on which node, in plain words, with a fix where one exists."""

from __future__ import annotations

from dataclasses import dataclass

from nodes import Fix


@dataclass(frozen=True)
class Diagnostic:
    """One finding; `node_id` is None for findings about the whole graph."""

    message: str
    node_id: str | None = None
    severity: str = "error"
    fix: Fix | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"
