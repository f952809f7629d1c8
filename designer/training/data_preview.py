"""What a dataset looks like to the network before a run: training samples as it will see them
(augmented, normalised), with their labels, and how many samples of each class each part
holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from designer.data import prepare_data
from designer.runtime.loading import Loading, feed
from designer.runtime.prepare import is_image
from designer.training.val_samples import for_the_eye

SAMPLES = 24


@dataclass(frozen=True)
class DataPreview:
    """`images` (N x H x W, or N x H x W x 3, each scaled to 0..1 to be seen) with `labels`,
    empty when the samples are not images; `counts` per class: (train, val, test)."""

    description: str
    images: np.ndarray
    labels: list[str]
    counts: dict[str, tuple[int, int, int]]
    augmented: bool


def data_preview(
    dataset: dict[str, Any], base: Path | None, count: int = SAMPLES, seed: int = 0
) -> DataPreview:
    """Prepare the dataset section as a run would and draw `count` training samples (a seeded
    choice) through the training feed, augmentation included. Raises SetupError as a run
    would."""
    data = prepare_data(dataset, base)
    counts = {}
    if data.is_classification and data.train.y.ndim == 1:
        classes = len(data.class_names)
        per_part = [
            np.bincount(part.y.numpy(), minlength=classes)
            for part in (data.train, data.val, data.test)
        ]
        counts = {
            name: tuple(int(found[index]) for found in per_part)
            for index, name in enumerate(data.class_names)
        }
    images, labels = np.zeros((0, 1, 1)), []
    if is_image(data.train.x) and len(data.train):
        loading = Loading(0, data.augmentation, False)
        batches = feed(data.train, count, loading, torch.device("cpu"), True)
        order = batches.order(torch.Generator().manual_seed(seed))
        x, y = next(batches.shuffled(order))
        images = for_the_eye(x)
        names = data.class_names
        labels = [names[int(k)] if names else str(int(k)) for k in y]
    return DataPreview(data.describe(), images, labels, counts, data.augmentation is not None)
