"""Seeded train / validation / test split, stratified by class where the task has
classes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from designer.runtime.errors import DataError

PARTS = ("train", "val", "test")


@dataclass(frozen=True)
class SplitSettings:
    """Fractions of the samples for validation and test; the rest is for training."""

    val: float
    test: float
    seed: int


def split_indices(
    count: int, settings: SplitSettings, labels: torch.Tensor | None = None
) -> dict[str, np.ndarray]:
    """Sample indices per part, each sorted. With labels, every class is split on its
    own, so each part keeps the class proportions. The same settings always give the
    same split."""
    rng = np.random.default_rng(settings.seed)
    if labels is None:
        groups = [np.arange(count)]
    else:
        values = labels.numpy()
        groups = [np.flatnonzero(values == value) for value in np.unique(values)]
    parts: dict[str, list[np.ndarray]] = {part: [] for part in PARTS}
    for group in groups:
        shuffled = rng.permutation(group)
        val = round(len(group) * settings.val)
        test = round(len(group) * settings.test)
        parts["val"].append(shuffled[:val])
        parts["test"].append(shuffled[val : val + test])
        parts["train"].append(shuffled[val + test :])
    result = {part: np.sort(np.concatenate(pieces)) for part, pieces in parts.items()}
    for part in ("train", "val"):
        if len(result[part]) == 0:
            raise DataError(
                f"{count} samples with val={settings.val} and test={settings.test} "
                f"leave no {'training' if part == 'train' else 'validation'} samples",
                "dataset.split",
            )
    return result
