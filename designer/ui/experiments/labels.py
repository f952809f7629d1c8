"""Swept values named for narrow places: column headers and plot axes."""

from __future__ import annotations

from designer.sweep.space import Swept


def short_label(swept: Swept) -> str:
    """A swept value's name without "training." for a setting: optimizer.lr."""
    return swept.label.removeprefix("training.")
