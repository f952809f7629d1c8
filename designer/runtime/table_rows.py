"""A table's rows of float32 features, memory-mapped from a file when they do not fit
the memory budget: batches slice out of the mapping as they are needed."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch


@dataclass(frozen=True, eq=False)
class TableRows:
    """The rows `values[rows]` (values: samples x features, float32, read-only)."""

    values: np.ndarray
    rows: np.ndarray

    dtype = torch.float32
    ndim = 2

    @property
    def shape(self) -> tuple[int, ...]:
        return (len(self.rows), self.values.shape[1])

    def __len__(self) -> int:
        return len(self.rows)

    def subset(self, positions: np.ndarray) -> TableRows:
        """The rows at `positions` of these."""
        return replace(self, rows=self.rows[positions])

    def complete(self) -> bool:
        """Every row is parsed already."""
        return True

    def at_hand(self) -> bool:
        """A batch slices out at once: there is nothing to decode."""
        return True

    def read(self, position: int) -> np.ndarray:
        return np.array(self.values[self.rows[position]])

    def take(self, positions: np.ndarray) -> torch.Tensor:
        """The rows at `positions` as one float32 tensor (a copy)."""
        return torch.from_numpy(np.asarray(self.values[self.rows[positions]]))
