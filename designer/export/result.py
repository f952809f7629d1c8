"""What an exporter wrote and how it checked the file: one result type for every format."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ExportResult:
    """`method` made the file; `checked_by` read it back and gave outputs (or tensors) that
    differ from the app's by at most `max_difference`, within `tolerance` (absolute)."""

    path: Path
    method: str
    checked_by: str
    max_difference: float
    tolerance: float
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the CLI and the Export dialog, notes after it."""
        if self.tolerance == 0:
            check = f"{self.checked_by} gives identical tensors"
        else:
            check = (
                f"{self.checked_by} matches torch within {number(self.tolerance)}: "
                f"max diff {number(self.max_difference)}"
            )
        lines = [f"wrote {self.path.name} with {self.method} ({check})", *self.notes]
        return "\n".join(lines)


def number(value: float) -> str:
    """Short scientific notation: 1e-4, 3.1e-7; 0 as 0."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"
