"""A dataset in memory: samples, targets, the task they pose and the class names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

TASKS = (
    "multiclass",
    "binary",
    "multilabel",
    "regression",
    "sequence_to_label",
    "sequence_to_sequence",
    "reconstruction",
)
CLASS_TASKS = ("multiclass", "binary", "sequence_to_label", "sequence_to_sequence")
STRATIFIED_TASKS = ("multiclass", "binary", "sequence_to_label")
MAX_CLASSES = 10_000  # the usual limit on a dataset's classes (dataset.max_classes)


class LazySamples(Protocol):
    """Samples read when needed instead of held in a tensor (an image folder's, see
    ImageFiles): their dtype, number of dimensions and shape as a tensor's."""

    dtype: torch.dtype
    ndim: int

    @property
    def shape(self) -> tuple[int, ...]: ...

    def __len__(self) -> int: ...

    def subset(self, positions: np.ndarray) -> LazySamples:
        """The samples at `positions` of these."""

    def complete(self) -> bool:
        """Whether every sample is kept decoded already (a slice costs no decoding)."""

    def at_hand(self) -> bool:
        """Whether a batch is best sliced out at once in the training process (nothing
        is left to decode)."""

    def read(self, position: int) -> np.ndarray:
        """One sample."""

    def take(self, positions: np.ndarray) -> torch.Tensor:
        """The samples at `positions` as one tensor."""


@dataclass
class Dataset:
    """`x` holds samples along dim 0 (float, long token ids, or uint8 pixels that are
    fed as float 0..1), in a tensor or read when needed; `y` holds targets (long
    classes or float). `notes` say what reading passed over (special files, say)."""

    name: str
    x: torch.Tensor | LazySamples
    y: torch.Tensor
    task: str
    class_names: tuple[str, ...] = ()
    test_count: int = 0
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}")
        if len(self.x) != len(self.y):
            raise ValueError(f"{len(self.x)} samples but {len(self.y)} targets")

    def __len__(self) -> int:
        return len(self.x)


def class_task(count: int) -> str:
    return "binary" if count == 2 else "multiclass"
