"""A loaded dataset made ready for training: split, standardised on the training part,
and integer samples made float where the network takes real numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from designer.runtime.dataset import STRATIFIED_TASKS, Dataset
from designer.runtime.split import SplitSettings, split_indices


@dataclass
class Part:
    """One part of the split: samples and targets."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return len(self.x)

    def to(self, device: torch.device) -> Part:
        return Part(self.x.to(device), self.y.to(device))


@dataclass
class Scale:
    """A standardisation fitted on the training part: value -> (value - mean) / std."""

    mean: torch.Tensor
    std: torch.Tensor

    @classmethod
    def fit(cls, values: torch.Tensor) -> Scale:
        """Mean and standard deviation over the samples; a constant keeps scale 1."""
        std = (
            values.std(dim=0, unbiased=False)
            if len(values) > 1
            else torch.ones_like(values[0])
        )
        return cls(
            values.mean(dim=0), torch.where(std > 1e-12, std, torch.ones_like(std))
        )

    def apply(self, values: torch.Tensor) -> torch.Tensor:
        return (values - self.mean) / self.std

    def undo(self, values: torch.Tensor) -> torch.Tensor:
        return values * self.std.to(values.device) + self.mean.to(values.device)


@dataclass(frozen=True)
class Preparation:
    """How a dataset becomes training parts: the split, whether features (real-valued
    ones) and regression targets are standardised, whether integer samples become
    float32."""

    split: SplitSettings
    standardize: bool
    standardize_target: bool
    float_samples: bool


@dataclass
class Prepared:
    """The parts by name (train, val, test), their split indices, and the scales fitted
    on the training part (None where nothing was standardised)."""

    parts: dict[str, Part]
    indices: dict[str, np.ndarray]
    features: Scale | None
    targets: Scale | None


def prepare(dataset: Dataset, preparation: Preparation) -> Prepared:
    """Split `dataset` (by class where its task has classes) and standardise it."""
    labels = dataset.y if dataset.task in STRATIFIED_TASKS else None
    if dataset.test_count:
        # The set's own test part stays whole; validation comes out of the rest.
        count = len(dataset) - dataset.test_count
        split = SplitSettings(preparation.split.val, 0.0, preparation.split.seed)
        indices = split_indices(
            count, split, None if labels is None else labels[:count]
        )
        indices["test"] = np.arange(count, len(dataset))
    else:
        indices = split_indices(len(dataset), preparation.split, labels)
    parts = {
        name: Part(dataset.x[torch.from_numpy(i)], dataset.y[torch.from_numpy(i)])
        for name, i in indices.items()
    }
    features = targets = None
    if preparation.standardize and dataset.x.is_floating_point():
        features = Scale.fit(parts["train"].x)
        parts = {
            name: Part(features.apply(part.x), part.y) for name, part in parts.items()
        }
    if preparation.standardize_target and dataset.task == "regression":
        targets = Scale.fit(parts["train"].y)
        parts = {
            name: Part(part.x, targets.apply(part.y)) for name, part in parts.items()
        }
    if preparation.float_samples and not is_real(dataset.x):
        parts = {name: Part(part.x.float(), part.y) for name, part in parts.items()}
    return Prepared(parts, indices, features, targets)


def is_real(samples: torch.Tensor) -> bool:
    """Whether samples are real values: floats, or uint8 pixels (not token ids)."""
    return samples.is_floating_point() or samples.dtype == torch.uint8
