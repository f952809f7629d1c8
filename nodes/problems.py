"""Problems a layer finds with its inputs, and the one-step fixes it can suggest."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FixAction(StrEnum):
    """The edits a fix can make: a layer inserted before a node (a Flatten), or a 1x1
    projection added on shortcut wires."""

    INSERT_BEFORE = "insert_before"
    ADD_PROJECTION = "add_projection"


@dataclass(frozen=True)
class Fix:
    """A suggested edit: a label for the user, an action and its arguments (plain data)."""

    label: str
    action: FixAction
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a layer's inputs or params, in plain words, with an optional fix."""

    message: str
    fix: Fix | None = None
    severity: str = "error"
