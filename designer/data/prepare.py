"""From a project's dataset section to split, standardised tensors ready for training."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from designer.data.dataset import CLASS_TASKS, STRATIFIED_TASKS, Dataset
from designer.data.errors import DataError
from designer.data.settings import Section
from designer.data.sources import load_source
from designer.data.split import SplitSettings, split_digest, split_indices


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
        std = values.std(dim=0, unbiased=False) if len(values) > 1 else torch.ones_like(values[0])
        return cls(values.mean(dim=0), torch.where(std > 1e-12, std, torch.ones_like(std)))

    def apply(self, values: torch.Tensor) -> torch.Tensor:
        return (values - self.mean) / self.std

    def undo(self, values: torch.Tensor) -> torch.Tensor:
        return values * self.std.to(values.device) + self.mean.to(values.device)


@dataclass
class PreparedData:
    """A dataset split into train / val / test (test may be empty), standardised on train."""

    name: str
    task: str
    train: Part
    val: Part
    test: Part
    class_names: tuple[str, ...] = ()
    split: dict[str, np.ndarray] = field(default_factory=dict)
    split_settings: SplitSettings = field(default_factory=SplitSettings)
    features: Scale | None = None
    targets: Scale | None = None

    @property
    def is_classification(self) -> bool:
        return self.task in CLASS_TASKS

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.train.x.shape[1:])

    @property
    def split_digest(self) -> str:
        return split_digest(self.split)

    def split_json(self) -> dict[str, Any]:
        return {
            "settings": self.split_settings.to_json(),
            "digest": self.split_digest,
            **{part: indices.tolist() for part, indices in self.split.items()},
        }

    def describe(self) -> str:
        kind = f"{len(self.class_names)} classes" if self.is_classification else self.task
        shape = "x".join(map(str, self.sample_shape))
        sizes = f"{len(self.train)} train / {len(self.val)} val / {len(self.test)} test"
        return f"{self.name}: {sizes} samples of {shape}, {kind}"


def prepare_data(settings: dict[str, Any], base: Path | None) -> PreparedData:
    """Read, check and split the dataset a project's `dataset` section describes."""
    section = Section(settings, "dataset", DataError)
    dataset = load_source(section, base)
    split = split_settings(section.child("split"))
    target_scaling = section.boolean("standardize_target", dataset.task == "regression")
    section.finish()
    if len(dataset) < 2:
        raise DataError(
            f"dataset {dataset.name!r} has {len(dataset)} samples; it needs two or more"
        )
    labels = dataset.y if dataset.task in STRATIFIED_TASKS else None
    indices = split_indices(len(dataset), split, labels)
    return assemble(dataset, indices, split, target_scaling)


def split_settings(section: Section) -> SplitSettings:
    val = section.number("val", 0.2, minimum=0.0, maximum=0.9)
    test = section.number("test", 0.2, minimum=0.0, maximum=0.9)
    seed = section.integer("seed", 0, minimum=0, maximum=2**32 - 1)
    section.finish()
    if val <= 0:
        raise DataError(
            "must be greater than 0: validation scores need samples", section.where("val")
        )
    if val + test >= 1:
        raise DataError(
            f"val + test is {val + test:g}; leave some samples for training", section.place
        )
    return SplitSettings(val, test, seed)


def assemble(
    dataset: Dataset, indices: dict[str, np.ndarray], split: SplitSettings, target_scaling: bool
) -> PreparedData:
    parts = {
        name: Part(dataset.x[torch.from_numpy(i)], dataset.y[torch.from_numpy(i)])
        for name, i in indices.items()
    }
    features = targets = None
    if dataset.standardize and dataset.x.is_floating_point():
        features = Scale.fit(parts["train"].x)
        parts = {name: Part(features.apply(part.x), part.y) for name, part in parts.items()}
    if target_scaling and dataset.task == "regression":
        targets = Scale.fit(parts["train"].y)
        parts = {name: Part(part.x, targets.apply(part.y)) for name, part in parts.items()}
    return PreparedData(
        dataset.name,
        dataset.task,
        parts["train"],
        parts["val"],
        parts["test"],
        dataset.class_names,
        indices,
        split,
        features,
        targets,
    )
