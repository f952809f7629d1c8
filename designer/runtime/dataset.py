"""A dataset in memory: samples, targets, the task they pose and the class names."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class Dataset:
    """`x` holds samples along dim 0 (float, long token ids, or uint8 pixels that the
    Batcher feeds as float 0..1); `y` holds targets (long classes or float)."""

    name: str
    x: torch.Tensor
    y: torch.Tensor
    task: str
    class_names: tuple[str, ...] = ()
    test_count: int = 0

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}")
        if len(self.x) != len(self.y):
            raise ValueError(f"{len(self.x)} samples but {len(self.y)} targets")

    def __len__(self) -> int:
        return len(self.x)


def class_task(count: int) -> str:
    return "binary" if count == 2 else "multiclass"
