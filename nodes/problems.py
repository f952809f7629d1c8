"""Problems a layer finds with its inputs, and the one-step fixes it can suggest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Fix:
    """A suggested edit: a label for the user, an action name and its arguments (plain data)."""

    label: str
    action: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a layer's inputs or params, in plain words, with an optional fix."""

    message: str
    fix: Fix | None = None
    severity: str = "error"
