"""How a part of the data reaches the network: sliced from tensors on the device, or
read sample by sample by worker processes where images are decoded on demand or
augmented."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from designer.runtime.batches import Batcher, as_input
from designer.runtime.devices import worker_count
from designer.runtime.prepare import Part, is_image
from designer.runtime.streaming import Streamer


class Augmenter(Protocol):
    """Random changes to training images (see Augmentation)."""

    def transform(
        self, image_size: tuple[int, int], channels: int
    ) -> Callable[[torch.Tensor], torch.Tensor]: ...


@dataclass(frozen=True)
class Loading:
    """`workers`: processes that read samples (-1: automatic, see worker_count);
    `augmentation`: the changes to training images (None: none); `skip_unreadable`:
    training leaves out a sample that cannot be read (evaluation never does: its scores
    would be of other samples)."""

    workers: int
    augmentation: Augmenter | None
    skip_unreadable: bool


def feed(
    part: Part, batch_size: int, loading: Loading, device: torch.device, train: bool
) -> Batcher | Streamer:
    """Batches of `part` on `device`; `train` applies the augmentation."""
    transform = None
    if train and loading.augmentation is not None and is_image(part.x):
        channels, height, width = part.x.shape[1:]
        transform = loading.augmentation.transform((height, width), channels)
    scale = None if part.scale is None else part.scale.to(device)
    if isinstance(part.x, torch.Tensor) and transform is None:
        return Batcher(part.x.to(device), part.y.to(device), batch_size, scale)
    return Streamer(
        part.x.cpu() if isinstance(part.x, torch.Tensor) else part.x,
        part.y.cpu(),
        batch_size,
        scale,
        device,
        worker_count(loading.workers),
        transform,
        persistent=train,
        skip_unreadable=train and loading.skip_unreadable,
    )


def first_samples(
    part: Part, count: int, device: torch.device
) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `count` samples of `part` on `device`, as the network takes them
    (unaugmented), with their targets."""
    count = min(count, len(part))
    if isinstance(part.x, torch.Tensor):
        x = part.x[:count]
    else:
        x = part.x.take(np.arange(count))
    scale = None if part.scale is None else part.scale.to(device)
    return as_input(x.to(device), scale), part.y[:count].to(device)
