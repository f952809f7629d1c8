"""A dataset section read: the runtime's data source it names, and whether its features are
standardised (each source has its own default)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SourceChoice:
    """`source` is one of designer.runtime's data sources (Digits, CsvTable, ...): its
    `load()` gives the Dataset, in the app and in the exported script alike."""

    source: Any
    standardize: bool = False
