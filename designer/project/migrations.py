"""Bring the data of an older project file up to the current format version, step by step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Raw = dict[str, Any]


def blocks_section(raw: Raw) -> Raw:
    """Format 2 adds the block library: a format 1 file has no blocks."""
    return {**raw, "blocks": [], "format_version": 2}


def flow_section(raw: Raw) -> Raw:
    """Format 3 lets a graph flow down: a format 2 file flows right, as a graph without one."""
    return {**raw, "format_version": 3}


def sweep_section(raw: Raw) -> Raw:
    """Format 4 adds the search space of sweeps: a format 3 file has none."""
    return {**raw, "format_version": 4}


MIGRATIONS: dict[int, Callable[[Raw], Raw]] = {
    1: blocks_section,
    2: flow_section,
    3: sweep_section,
}


def migrate(raw: Raw) -> Raw:
    """The file's checked data in the current format; the data passed in is left unchanged."""
    while raw["format_version"] in MIGRATIONS:
        raw = MIGRATIONS[raw["format_version"]](raw)
    return raw
