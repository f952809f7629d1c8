"""What flows along a wire: a per-sample tensor shape (batch excluded) and its dtype."""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

DTYPE_BYTES = {"float": 4, "long": 8}


@dataclass(frozen=True)
class TensorInfo:
    """A tensor's shape without the batch dimension, and its dtype ("float" or "long")."""

    shape: tuple[int, ...]
    dtype: str = "float"

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        return prod(self.shape)

    def nbytes(self, batch_size: int = 1) -> int:
        return self.numel * DTYPE_BYTES[self.dtype] * batch_size

    def __str__(self) -> str:
        text = "x".join(str(size) for size in self.shape) or "scalar"
        return text if self.dtype == "float" else f"{text} ({self.dtype})"
